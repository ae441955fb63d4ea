using System.Text.Json;

namespace Autoencoders.ScoringService;

/// <summary>
/// Reads a <c>{"rows": [[f1, …, fd], …]}</c> body into one flat array, checking as it goes: every value a number that is
/// a finite float32, every row <c>features</c> long, at least one row and at most <c>maxRows</c>. A failure is a
/// <see cref="BadRequestException"/> whose message names the row, the value and what was expected — never a half-read row.
/// </summary>
internal static class ScoreRequest
{
    public static (float[] Values, int Rows) Parse(ReadOnlySpan<byte> body, int features, int maxRows)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 8 });
        var values = new List<float>();
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
                    int count = 0;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        count++;
                        if (reader.TokenType != JsonTokenType.Number)
                            throw new BadRequestException($"Row {rows}, value {count} is {Describe(reader.TokenType)}; expected a number.");
                        if (!reader.TryGetDouble(out double number) || !float.IsFinite((float)number))
                            throw new BadRequestException($"Row {rows}, value {count} ({System.Text.Encoding.UTF8.GetString(reader.ValueSpan)}) is not a finite 32-bit float.");
                        if (count <= features)
                            values.Add((float)number);
                    }
                    if (count != features)
                        throw new BadRequestException($"Row {rows} has {count} values; the model expects {features}.");
                }
            }
            reader.Read(); // anything after the object is an error the reader reports
        }
        catch (JsonException e)
        {
            throw new BadRequestException($"The body is not valid JSON: {e.Message}");
        }
        if (!sawRows)
            throw new BadRequestException("The body has no 'rows': send {\"rows\": [[f1, ..., fd], ...]}.");
        if (rows == 0)
            throw new BadRequestException("'rows' is empty: send at least one row.");
        return ([.. values], rows);
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
