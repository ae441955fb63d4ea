using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Autoencoders.ScoringService;

/// <summary>
/// Reads a request body into one flat array: <c>{"rows": [[f1, …, fd], …]}</c> (<see cref="Parse"/>), or the rows as
/// little-endian float32 values, one row after another (<see cref="ParseBinary"/>, <c>Content-Type:
/// application/octet-stream</c>). Either is checked whole: every value a finite float32, every row <c>features</c> long,
/// at least one row and at most <c>maxRows</c>. A failure is a <see cref="BadRequestException"/> whose message names the
/// row, the value and what was expected — never a half-read row.
/// </summary>
internal static class ScoreRequest
{
    /// <summary>The media type of binary bodies (requests and responses).</summary>
    public const string Binary = "application/octet-stream";

    /// <summary>
    /// Reads a binary body: <c>rows × features</c> little-endian float32 values, row after row, nothing else. Returns them
    /// in the first <c>Rows × features</c> entries of an array rented from <see cref="ArrayPool{T}.Shared"/> that the
    /// caller returns.
    /// </summary>
    public static (float[] Values, int Rows) ParseBinary(ReadOnlySpan<byte> body, int features, int maxRows)
    {
        int rowBytes = features * sizeof(float);
        if (body.Length == 0)
            throw new BadRequestException($"The body is empty: send at least one row of {features} little-endian float32 values ({rowBytes} bytes).");
        if (body.Length % rowBytes != 0)
            throw new BadRequestException($"The body has {body.Length} bytes, not a whole number of rows of {features} little-endian float32 values ({rowBytes} bytes each): {body.Length / rowBytes} whole row{(body.Length / rowBytes == 1 ? "" : "s")} and {body.Length % rowBytes} bytes over.");
        int rows = body.Length / rowBytes;
        if (rows > maxRows)
            throw new BadRequestException($"The request has {rows} rows; at most {maxRows} are scored per request.");
        var values = ArrayPool<float>.Shared.Rent(rows * features);
        var target = values.AsSpan(0, rows * features);
        MemoryMarshal.Cast<byte, float>(body).CopyTo(target);
        if (!BitConverter.IsLittleEndian)
        {
            var bits = MemoryMarshal.Cast<float, int>(target);
            System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(bits, bits);
        }
        int bad = FirstNonFinite(target);
        if (bad >= 0)
        {
            float value = target[bad];
            ArrayPool<float>.Shared.Return(values);
            throw new BadRequestException(
                $"Row {bad / features + 1}, value {bad % features + 1} ({value.ToString(System.Globalization.CultureInfo.InvariantCulture)}) is not a finite 32-bit float.");
        }
        return (values, rows);
    }

    /// <summary>The index of the first NaN or infinity in <paramref name="values"/> (all exponent bits set), or -1.</summary>
    internal static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        const uint exponent = 0x7F80_0000;
        var bits = MemoryMarshal.Cast<float, uint>(values);
        int i = 0;
        if (Vector.IsHardwareAccelerated && bits.Length >= Vector<uint>.Count)
        {
            var mask = new Vector<uint>(exponent);
            for (; i <= bits.Length - Vector<uint>.Count; i += Vector<uint>.Count)
                if (Vector.EqualsAny(new Vector<uint>(bits.Slice(i, Vector<uint>.Count)) & mask, mask))
                    break;
        }
        for (; i < bits.Length; i++)
            if ((bits[i] & exponent) == exponent)
                return i;
        return -1;
    }

    /// <summary>
    /// Parses <paramref name="body"/>: the rows' values, one row after another, in the first <c>Rows × features</c> entries
    /// of <c>Values</c>, an array rented from <see cref="ArrayPool{T}.Shared"/> that the caller returns.
    /// </summary>
    public static (float[] Values, int Rows) Parse(ReadOnlySpan<byte> body, int features, int maxRows)
    {
        if (body.StartsWith("\uFEFF"u8)) // a UTF-8 byte order mark, as some clients write (System.Text.Json's serializer skips it too)
            body = body[3..];
        if (body.IsEmpty)
            throw new BadRequestException("The body is empty: send {\"rows\": [[f1, ..., fd], ...]}.");
        // A value takes at least two bytes of the body ("0,"): room for all of them, up to 64 rows to begin with.
        var values = ArrayPool<float>.Shared.Rent((int)Math.Min(body.Length / 2 + 1, 64L * features));
        if (JsonRows.TryRead(body, features, maxRows, ref values, out int read))
            return (values, read);
        return ReadChecked(body, features, maxRows, values);
    }

    /// <summary>
    /// <see cref="Parse"/> through <see cref="Utf8JsonReader"/> alone: any valid JSON (members in any order, escapes), and the
    /// error that names what is wrong. The fast reader (<see cref="JsonRows"/>) hands every body it does not take to this.
    /// </summary>
    internal static (float[] Values, int Rows) ReadChecked(ReadOnlySpan<byte> body, int features, int maxRows, float[] values)
    {
        if (FirstInvalidUtf8(body) is int offset) // JSON text is UTF-8 (RFC 8259); the reader checks only the strings it decodes
        {
            ArrayPool<float>.Shared.Return(values);
            throw new BadRequestException($"The body is not valid UTF-8: the byte at offset {offset} (0x{body[offset]:X2}) does not begin or continue a character.");
        }
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 8 });
        int count = 0;
        int rows = 0;
        bool sawRows = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new BadRequestException("The body must be a JSON object: {\"rows\": [[f1, ..., fd], ...]}.");
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                bool isRows = reader.ValueTextEquals("rows"u8); // compares the UTF-8 (escapes too); GetString throws on invalid UTF-8
                reader.Read();
                if (!isRows)
                {
                    reader.Skip();
                    continue;
                }
                if (sawRows)
                    throw new BadRequestException("'rows' is given twice.");
                sawRows = true;
                if (reader.TokenType != JsonTokenType.StartArray)
                    throw new BadRequestException($"'rows' must be an array of rows, each an array of {features} numbers; it is {Describe(reader.TokenType)}.");
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    rows++;
                    if (rows > maxRows)
                        throw new BadRequestException($"The request has more than {maxRows} rows; at most {maxRows} are scored per request.");
                    if (reader.TokenType != JsonTokenType.StartArray)
                        throw new BadRequestException($"Row {rows} must be an array of {features} numbers; it is {Describe(reader.TokenType)}.");
                    int inRow = 0;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        inRow++;
                        if (reader.TokenType != JsonTokenType.Number)
                            throw new BadRequestException($"Row {rows}, value {inRow} is {Describe(reader.TokenType)}; expected a number.");
                        if (!reader.TryGetDouble(out double number) || !float.IsFinite((float)number))
                            throw new BadRequestException($"Row {rows}, value {inRow} ({Quote(reader.ValueSpan)}) is not a finite 32-bit float.");
                        if (inRow <= features)
                        {
                            if (count == values.Length)
                                values = Grow(values, count);
                            values[count++] = (float)number;
                        }
                    }
                    if (inRow != features)
                        throw new BadRequestException($"Row {rows} has {inRow} values; the model expects {features}.");
                }
            }
            reader.Read(); // anything after the object is an error the reader reports
        }
        catch (Exception e) when (e is JsonException or BadRequestException)
        {
            ArrayPool<float>.Shared.Return(values);
            throw e is JsonException ? new BadRequestException($"The body is not valid JSON: {e.Message}") : e;
        }
        if (!sawRows || rows == 0)
        {
            ArrayPool<float>.Shared.Return(values);
            throw new BadRequestException(!sawRows ? "The body has no 'rows': send {\"rows\": [[f1, ..., fd], ...]}." : "'rows' is empty: send at least one row.");
        }
        return (values, rows);
    }

    // The offset of the first byte that is not part of a valid UTF-8 sequence, or null.
    private static int? FirstInvalidUtf8(ReadOnlySpan<byte> body)
    {
        if (System.Text.Unicode.Utf8.IsValid(body))
            return null;
        int offset = 0;
        while (System.Text.Rune.DecodeFromUtf8(body[offset..], out _, out int length) == OperationStatus.Done)
            offset += length;
        return offset;
    }

    // A number as the body wrote it, shortened in the middle past 40 characters (a message does not echo a huge body).
    private static string Quote(ReadOnlySpan<byte> number) => number.Length <= 40
        ? System.Text.Encoding.UTF8.GetString(number)
        : $"{System.Text.Encoding.UTF8.GetString(number[..20])}…{System.Text.Encoding.UTF8.GetString(number[^12..])}, {number.Length} characters";

    /// <summary>
    /// A pooled array at least twice as long as <paramref name="values"/> and at least <paramref name="atLeast"/> long, holding
    /// its first <paramref name="count"/> values; <paramref name="values"/> goes back to the pool.
    /// </summary>
    internal static float[] Grow(float[] values, int count, int atLeast = 0)
    {
        var larger = ArrayPool<float>.Shared.Rent(Math.Max(2 * values.Length, atLeast));
        values.AsSpan(0, count).CopyTo(larger);
        ArrayPool<float>.Shared.Return(values);
        return larger;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Null => "null",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.Number => "a number",
        _ => token.ToString(),
    };
}

/// <summary>A request the service refuses with 400 (or <see cref="Status"/>), its message saying why.</summary>
internal sealed class BadRequestException(string message, int status = StatusCodes.Status400BadRequest) : Exception(message)
{
    public int Status { get; } = status;
}
