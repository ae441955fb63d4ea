using System.Buffers;
using System.Globalization;
using System.Text;
using Autoencoders.ScoringService;

namespace Autoencoders.Tests.Serving;

/// <summary>
/// The scoring service's fast JSON reader (<see cref="JsonRows"/>) against <see cref="System.Text.Json.Utf8JsonReader"/>'s
/// reading of the same bodies (<see cref="ScoreRequest.ReadChecked"/>): the same floats, bit for bit, for numbers written
/// every common way; bodies of another shape go to the reader.
/// </summary>
[TestClass]
public sealed class JsonRowsTests
{
    private static float[] Checked(string body, int features, out int rows)
    {
        var (values, read) = ScoreRequest.ReadChecked(Encoding.UTF8.GetBytes(body), features, 100_000, ArrayPool<float>.Shared.Rent(16));
        rows = read;
        var copy = values.AsSpan(0, read * features).ToArray();
        ArrayPool<float>.Shared.Return(values);
        return copy;
    }

    private static float[]? Fast(string body, int features, out int rows)
    {
        var values = ArrayPool<float>.Shared.Rent(16);
        bool taken = JsonRows.TryRead(Encoding.UTF8.GetBytes(body), features, 100_000, ref values, out rows);
        var copy = taken ? values.AsSpan(0, rows * features).ToArray() : null;
        ArrayPool<float>.Shared.Return(values);
        return copy;
    }

    // Numbers written the ways clients write them, and the edges of the fast conversion.
    private static IEnumerable<string> Numbers(Random random)
    {
        var c = CultureInfo.InvariantCulture;
        string[] fixedOnes =
        [
            "0", "-0", "0.0", "-0.0", "0e5", "-0E-5", "1", "-1", "10", "1e0", "1E+2", "1e-2", "123456789", "-0.000001234",
            "3.4028235e38", "-3.4028235E38", "3.4028234663852886e38", "1e-45", "1.401298464324817e-45", "7e-46", "1e-50",
            "1.17549435e-38", "9007199254740992", "9007199254740993", "18446744073709551615", "0.1", "0.30000000000000004",
            "1.0000000000000000000000001", "123456789012345678901234567890", "0.0000000000000000000000000000123",
            "1e22", "1e23", "4.5e-22", "4.5e-23", "99999999999999999999e-10", "1.00000005960464477539062", "16777217",
            "33554435", "1.5e-40", "2.5e-44", "0.000000000000000000000000000000000000000001",
        ];
        foreach (string s in fixedOnes)
            yield return s;
        // Decimals next to the midpoint of two adjacent floats: the float they become depends on the last bit of the
        // double, so a conversion a bit off there gives another float.
        for (int i = 0; i < 3000; i++)
        {
            float f = (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-30, 30)));
            double midpoint = ((double)f + MathF.BitIncrement(f)) / 2;
            yield return midpoint.ToString(i % 2 == 0 ? "E15" : "E14", c);
        }
        for (int i = 0; i < 3000; i++)
        {
            double magnitude = Math.Pow(10, random.Next(-44, 39));
            double x = (random.NextDouble() * 2 - 1) * magnitude;
            float f = (float)x;
            if (!float.IsFinite(f))
                continue;
            yield return (i % 8) switch
            {
                0 => f.ToString("R", c),
                1 => x.ToString("R", c),
                2 => f.ToString("E3", c),
                3 => f.ToString("F6", c),
                4 => ((long)(x % 1e15)).ToString(c),
                5 => x.ToString("E16", c).Replace("E+", "e"),
                6 => f.ToString("G9", c),
                _ => x.ToString("F" + random.Next(0, 25), c),
            };
        }
    }

    [TestMethod]
    public void Numbers_ReadAsTheJsonReaderReadsThem_BitForBit()
    {
        var random = new Random(7);
        const int features = 5;
        var numbers = Numbers(random).Where(n => float.IsFinite((float)double.Parse(n, CultureInfo.InvariantCulture))).ToList();
        while (numbers.Count % features != 0)
            numbers.Add("2.5");
        var whitespace = new[] { "", " ", "\n", "\r\n\t " };
        var body = new StringBuilder("{\"rows\":[");
        for (int r = 0; r < numbers.Count / features; r++)
        {
            string w() => whitespace[random.Next(whitespace.Length)];
            body.Append(r == 0 ? "" : ",").Append(w()).Append('[');
            body.AppendJoin(",", numbers.Skip(r * features).Take(features).Select(n => w() + n + w())).Append(']').Append(w());
        }
        string json = body.Append("]}").ToString();
        var expected = Checked(json, features, out int rows);
        var fast = Fast(json, features, out int fastRows);
        Assert.IsNotNull(fast, "the fast reader takes the usual shape");
        Assert.AreEqual(rows, fastRows);
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(fast[i]), $"'{numbers[i]}': {expected[i]:R} vs {fast[i]:R}");
    }

    [TestMethod]
    [DataRow("{\"rows\":[[1,2],[3,4]]}")]
    [DataRow(" \r\n{ \"rows\" : [ [ 1 , 2 ] , [3,4] ] } \n")]
    [DataRow("{\"rows\":[[1.5e3,-2],[0,0.25]]}")]
    public void UsualShapes_AreReadFast(string body)
    {
        var fast = Fast(body, 2, out int rows);
        Assert.IsNotNull(fast);
        CollectionAssert.AreEqual(Checked(body, 2, out int expectedRows), fast);
        Assert.AreEqual(expectedRows, rows);
    }

    [TestMethod]
    [DataRow("{\"rows\":[[1,2],[3,4]], \"id\": 7}")]                 // another member: read by the JSON reader
    [DataRow("{\"id\": 7, \"rows\":[[1,2],[3,4]]}")]
    [DataRow("{\"\\u0072ows\":[[1,2],[3,4]]}")]                      // an escaped name
    [DataRow("{\"rows\":[[1,2],[3,4]]}x")]                           // trailing bytes: an error, named by the reader
    [DataRow("{\"rows\":[[1,2],[3,4,5]]}")]                          // a row of another length
    [DataRow("{\"rows\":[[1,2],[3,\"4\"]]}")]
    [DataRow("{\"rows\":[[1,2],[3,01]]}")]                           // not JSON numbers
    [DataRow("{\"rows\":[[1,2],[3,1.]]}")]
    [DataRow("{\"rows\":[[1,2],[3,.5]]}")]
    [DataRow("{\"rows\":[[1,2],[3,+5]]}")]
    [DataRow("{\"rows\":[[1,2],[3,1e]]}")]
    [DataRow("{\"rows\":[[1,2],[3,--1]]}")]
    [DataRow("{\"rows\":[[1,2],[3,1e39]]}")]                         // not a finite float32
    [DataRow("{\"rows\":[[1,2],[3,NaN]]}")]
    [DataRow("{\"rows\":[[1,2],[3,4]],}")]
    [DataRow("{\"rows\":[[1,2],[3,4],]}")]
    [DataRow("{\"rows\":[]}")]
    [DataRow("{\"rows\":[[1,2],[3,4]]")]
    public void OtherShapes_GoToTheJsonReader(string body) => Assert.IsNull(Fast(body, 2, out _), body);

    [TestMethod]
    public void TooManyRows_GoToTheJsonReader()
    {
        var values = ArrayPool<float>.Shared.Rent(4);
        Assert.IsFalse(JsonRows.TryRead("{\"rows\":[[1,2],[3,4],[5,6]]}"u8, 2, 2, ref values, out _));
        Assert.IsTrue(JsonRows.TryRead("{\"rows\":[[1,2],[3,4],[5,6]]}"u8, 2, 3, ref values, out int rows));
        Assert.AreEqual(3, rows);
        CollectionAssert.AreEqual(new float[] { 1, 2, 3, 4, 5, 6 }, values[..6]);
        ArrayPool<float>.Shared.Return(values);
    }

    [TestMethod]
    public void Float32Bodies_AreReadInPlace_AndTheFirstNonFiniteValueIsNamed()
    {
        var rows = new float[] { 1, -2.5f, 3e-41f, 4, float.MaxValue, -0f };
        byte[] body = new byte[rows.Length * 4];
        for (int i = 0; i < rows.Length; i++)
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(body.AsSpan(4 * i), rows[i]);
        var (values, count) = ScoreRequest.ParseBinary(body, 3, 10);
        Assert.AreEqual(2, count);
        CollectionAssert.AreEqual(rows, values[..6]);
        ArrayPool<float>.Shared.Return(values);
        for (int at = 0; at < 40; at += 13)
        {
            var many = new float[40];
            many[at] = float.PositiveInfinity;
            many[39] = float.NaN;
            Assert.AreEqual(at, ScoreRequest.FirstNonFinite(many));
        }
        Assert.AreEqual(-1, ScoreRequest.FirstNonFinite(new float[33]));
    }
}
