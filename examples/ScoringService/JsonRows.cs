using System.Buffers;
using System.Buffers.Text;

namespace Autoencoders.ScoringService;

/// <summary>
/// The fast path of <see cref="ScoreRequest.Parse"/>: reads the usual body, <c>{"rows": [[n, …], …]}</c> with only
/// whitespace between the tokens, every row <c>features</c> plain JSON numbers, in one pass over the bytes. A JSON reader
/// and <see cref="Utf8Parser"/> spend about 60 ns per number; most numbers a client writes (up to 19 significant digits,
/// a decimal exponent within ±22) are converted here exactly as they would convert them (the double nearest the decimal
/// value, then the float nearest that double) with one multiplication or division, and the others through
/// <see cref="Utf8Parser"/> itself. Anything else — another member, an escape, a string or null, a row of another length,
/// too many rows, a number that is not a finite float32, invalid JSON — returns false, and the caller reads the body again
/// with <see cref="System.Text.Json.Utf8JsonReader"/>, which takes any valid JSON and names what is wrong.
/// </summary>
internal static class JsonRows
{
    // 10^0 … 10^22: every one exactly a double, so w · 10^e and w / 10^e are correctly rounded for w ≤ 2^53 (Clinger).
    private static readonly double[] PowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>
    /// Reads <paramref name="body"/> into <paramref name="values"/> (rented from <see cref="ArrayPool{T}.Shared"/>; replaced
    /// by a larger one as needed, the smaller returned), <paramref name="rows"/> rows of <paramref name="features"/> values;
    /// false when the body is not of the usual shape (see the class).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> body, int features, int maxRows, ref float[] values, out int rows)
    {
        rows = 0;
        int i = 0;
        int count = 0;
        if (!Token(body, ref i, (byte)'{') || !Whitespace(body, ref i) || !body[i..].StartsWith("\"rows\""u8))
            return false;
        i += 6;
        if (!Token(body, ref i, (byte)':') || !Token(body, ref i, (byte)'['))
            return false;
        while (true)
        {
            if (!Token(body, ref i, (byte)'[') || ++rows > maxRows)
                return false;
            if (count + features > values.Length)
                values = ScoreRequest.Grow(values, count, count + features);
            for (int j = 0; j < features; j++)
            {
                if (!Whitespace(body, ref i) || !TryNumber(body, ref i, out values[count++]) || !Token(body, ref i, j < features - 1 ? (byte)',' : (byte)']'))
                    return false;
            }
            if (!Whitespace(body, ref i))
                return false;
            if (body[i] == ',')
            {
                i++;
                continue;
            }
            if (body[i] != ']')
                return false;
            i++;
            break;
        }
        return Token(body, ref i, (byte)'}') && !Whitespace(body, ref i);
    }

    // Skips JSON whitespace; true when a byte follows.
    private static bool Whitespace(ReadOnlySpan<byte> body, ref int i)
    {
        while (i < body.Length && body[i] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
            i++;
        return i < body.Length;
    }

    // Skips whitespace and then `token`.
    private static bool Token(ReadOnlySpan<byte> body, ref int i, byte token)
    {
        if (!Whitespace(body, ref i) || body[i] != token)
            return false;
        i++;
        return true;
    }

    /// <summary>
    /// Reads one JSON number at <paramref name="i"/> (<c>-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?</c>) as the float
    /// nearest the double nearest it, as <c>(float)</c> of <see cref="System.Text.Json.Utf8JsonReader.TryGetDouble"/>
    /// would give; false when it is not such a number or not a finite float32.
    /// </summary>
    internal static bool TryNumber(ReadOnlySpan<byte> body, ref int i, out float value)
    {
        value = 0;
        int start = i;
        bool negative = i < body.Length && body[i] == '-';
        if (negative)
            i++;
        ulong mantissa = 0;   // the first 19 significant digits
        int significant = 0;
        int scale = 0;        // the value is mantissa · 10^(scale + exponent)
        bool exact = true;    // false once a significant digit did not fit the mantissa
        if (i >= body.Length || !IsDigit(body[i]))
            return false;
        if (body[i] == '0')
            i++;
        else
        {
            for (; i < body.Length && IsDigit(body[i]); i++)
            {
                if (significant < 19)
                {
                    mantissa = 10 * mantissa + (uint)(body[i] - '0');
                    significant++;
                }
                else
                {
                    exact = false;
                    scale++;
                }
            }
        }
        if (i < body.Length && body[i] == '.')
        {
            i++;
            if (i >= body.Length || !IsDigit(body[i]))
                return false;
            for (; i < body.Length && IsDigit(body[i]); i++)
            {
                if (significant < 19)
                {
                    mantissa = 10 * mantissa + (uint)(body[i] - '0');
                    if (mantissa != 0)
                        significant++;
                    scale--;
                }
                else
                    exact = false;
            }
        }
        int exponent = 0;
        if (i < body.Length && (body[i] | 0x20) == 'e')
        {
            i++;
            bool negativeExponent = i < body.Length && body[i] == '-';
            if (i < body.Length && body[i] is (byte)'-' or (byte)'+')
                i++;
            if (i >= body.Length || !IsDigit(body[i]))
                return false;
            for (; i < body.Length && IsDigit(body[i]); i++)
            {
                if (exponent < 100_000)
                    exponent = 10 * exponent + (body[i] - '0');
                else
                    exact = false;
            }
            if (negativeExponent)
                exponent = -exponent;
        }
        int power = scale + exponent;
        double number;
        if (exact && mantissa <= 1UL << 53 && power is >= -22 and <= 22)
        {
            number = power < 0 ? mantissa / PowersOfTen[-power] : mantissa * PowersOfTen[power];
            if (negative)
                number = -number;
        }
        else if (!Utf8Parser.TryParse(body[start..i], out number, out int consumed) || consumed != i - start)
            return false;
        value = (float)number;
        return float.IsFinite(value);
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;
}
