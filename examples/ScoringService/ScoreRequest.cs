using System.Buffers;
using System.Text.Json;

namespace Autoencoders.ScoringService;

/// <summary>
/// Reads a <c>{"rows": [[f1, …, fd], …]}</c> body into one flat array, checking as it goes: every value a number that is
/// a finite float32, every row <c>features</c> long, at least one row and at most <c>maxRows</c>. A failure is a
/// <see cref="BadRequestException"/> whose message names the row, the value and what was expected — never a half-read row.
/// </summary>
internal static class ScoreRequest
{
    /// <summary>
    /// Parses <paramref name="body"/>: the rows' values, one row after another, in the first <c>Rows × features</c> entries
    /// of <c>Values</c>, an array rented from <see cref="ArrayPool{T}.Shared"/> that the caller returns.
    /// </summary>
    public static (float[] Values, int Rows) Parse(ReadOnlySpan<byte> body, int features, int maxRows)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 8 });
        // A value takes at least two bytes of the body ("0,"): room for all of them, up to 64 rows to begin with.
        var values = ArrayPool<float>.Shared.Rent((int)Math.Min(body.Length / 2 + 1, 64L * features));
        int count = 0;
        int rows = 0;
        bool sawRows = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new BadRequestException("The body must be a JSON object: {\"rows\": [[f1, ..., fd], ...]}.");
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                string? name = reader.GetString();
                reader.Read();
                if (name != "rows")
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
                            throw new BadRequestException($"Row {rows}, value {inRow} ({System.Text.Encoding.UTF8.GetString(reader.ValueSpan)}) is not a finite 32-bit float.");
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

    private static float[] Grow(float[] values, int count)
    {
        var larger = ArrayPool<float>.Shared.Rent(2 * values.Length);
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
