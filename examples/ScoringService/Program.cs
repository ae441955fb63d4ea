using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Autoencoders.ScoringService;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

// An anomaly-scoring web service for models saved by this library (see README, "Serving"):
//   dotnet run -c Release --project examples/ScoringService -- --urls http://127.0.0.1:5080 --model path/to/model.zip
// POST /score {"rows": [[...], ...]} -> {"results": [{"score", "isAnomaly", "probability"}, ...]}; GET /health; GET /model.
// Bulk clients may send the rows as little-endian float32 (Content-Type: application/octet-stream) and take the results
// the same way (Accept: application/octet-stream): JSON text costs more than the scoring of a row.
var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddCommandLine(args, new Dictionary<string, string> { ["--model"] = "Model:Path" });
// ASP.NET Core's own request logs at Warning, as the project templates' appsettings.json sets them: at Information each
// request writes several lines, which halved the one-row requests/s (wrk, 8 connections). Logging:LogLevel:Microsoft.AspNetCore
// in the configuration (or --Logging:LogLevel:Microsoft.AspNetCore Information) overrides this.
if (builder.Configuration["Logging:LogLevel:Microsoft.AspNetCore"] is null)
    builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.Services.AddOptions<ServiceOptions>().Bind(builder.Configuration.GetSection(ServiceOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddProblemDetails();
builder.Services.AddSingleton<ModelHost>();
builder.Services.AddHostedService(services => services.GetRequiredService<ModelHost>());
builder.Services.AddHealthChecks().AddCheck<ModelHealth>("model");
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase);
builder.WebHost.ConfigureKestrel((context, kestrel) =>
    kestrel.Limits.MaxRequestBodySize = context.Configuration.GetSection(ServiceOptions.Section).GetValue<long?>(nameof(ServiceOptions.MaxRequestBytes)) ?? new ServiceOptions().MaxRequestBytes);

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapPost("/score", async (HttpContext http, ModelHost host, IOptions<ServiceOptions> options, ILogger<ModelHost> log) =>
{
    var settings = options.Value;
    byte[]? body = null;
    try
    {
        bool binary = IsBinary(http.Request);
        (body, int length) = await ReadBody(http, settings.MaxRequestBytes);
        var response = await host.UseAsync(async model =>
        {
            var (values, rows) = binary
                ? ScoreRequest.ParseBinary(body.AsSpan(0, length), model.Features, settings.MaxRows)
                : ScoreRequest.Parse(body.AsSpan(0, length), model.Features, settings.MaxRows);
            Task<RowResult> one;
            try
            {
                if (settings.ConstantScores)
                    return Constant(rows);
                if (rows > 1)
                    return new ScoreResponse(model.Score(values, rows));
                one = model.ScoreOneAsync(values); // copies the row
            }
            finally
            {
                ArrayPool<float>.Shared.Return(values);
            }
            return new ScoreResponse([await one]);
        });
        return response is null
            ? Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "No model is loaded yet", detail: "GET /health answers 200 once one is.")
            : WantsBinary(http.Request) ? Results.Bytes(response.ToBinary(), ScoreRequest.Binary) : Results.Ok(response);
    }
    catch (BadRequestException e)
    {
        return Results.Problem(statusCode: e.Status, title: e.Status == StatusCodes.Status413PayloadTooLarge ? "Request body too large" : "Bad request", detail: e.Message);
    }
    catch (BadHttpRequestException e) // Kestrel's own limits (body size) and a client that stops sending
    {
        return Results.Problem(statusCode: e.StatusCode, title: "Bad request", detail: e.Message);
    }
    finally
    {
        if (body is not null)
            ArrayPool<byte>.Shared.Return(body);
    }
});
app.MapGet("/model", (ModelHost host) => host.Info is { } info
    ? Results.Ok(info)
    : Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "No model is loaded yet"));
app.MapHealthChecks("/health", new HealthCheckOptions
{
    ResultStatusCodes = { [HealthStatus.Healthy] = 200, [HealthStatus.Degraded] = 200, [HealthStatus.Unhealthy] = 503 },
});
app.Run();

// The body, at most `limit` bytes (Kestrel enforces its own limit too; a test server does not), in an array rented from
// ArrayPool<byte>.Shared (the caller returns it): its first `Length` bytes.
static async Task<(byte[] Body, int Length)> ReadBody(HttpContext http, long limit)
{
    long? declared = http.Request.ContentLength;
    if (declared > limit)
        throw new BadRequestException($"The body is {declared} bytes; at most {limit} are accepted.", StatusCodes.Status413PayloadTooLarge);
    var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(1, Math.Min(declared ?? 16_384, limit)));
    int length = 0;
    try
    {
        while (true)
        {
            if (length == buffer.Length) // never past `limit` here: one byte more throws below
            {
                var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(2L * buffer.Length, limit + 1));
                buffer.AsSpan(0, length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = larger;
            }
            int read = await http.Request.Body.ReadAsync(buffer.AsMemory(length, (int)Math.Min(buffer.Length - length, limit + 1 - length)), http.RequestAborted);
            if (read == 0)
                break;
            length += read;
            if (length > limit)
                throw new BadRequestException($"The body is more than {limit} bytes; at most {limit} are accepted.", StatusCodes.Status413PayloadTooLarge);
        }
        return (buffer, length);
    }
    catch
    {
        ArrayPool<byte>.Shared.Return(buffer);
        throw;
    }
}

// A body of little-endian float32 rows (Content-Type: application/octet-stream); JSON otherwise.
static bool IsBinary(HttpRequest request) =>
    MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals(ScoreRequest.Binary, StringComparison.OrdinalIgnoreCase);

// A binary answer when the client accepts application/octet-stream and does not prefer JSON.
static bool WantsBinary(HttpRequest request)
{
    if (request.Headers.Accept.Count == 0)
        return false;
    double binary = 0, json = 0;
    foreach (var type in request.GetTypedHeaders().Accept)
    {
        double quality = type.Quality ?? 1;
        if (type.MediaType.Equals(ScoreRequest.Binary, StringComparison.OrdinalIgnoreCase))
            binary = Math.Max(binary, quality);
        else if (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            json = Math.Max(json, quality);
    }
    return binary > 0 && binary >= json;
}

static ScoreResponse Constant(int rows) => new(Enumerable.Repeat(new RowResult(0f, false, 0.5f), rows).ToArray());

/// <summary>The body of a successful <c>POST /score</c>: one result per row, in the request's order.</summary>
internal sealed record ScoreResponse(RowResult[] Results)
{
    /// <summary>
    /// The binary form (<c>Accept: application/octet-stream</c>), three blocks of one entry per row in the request's order:
    /// the scores (little-endian float32), the probabilities (float32; NaN for a model that stored no training scores),
    /// then one byte per row, 1 where the row is an anomaly and 0 where not — 9 bytes per row in all.
    /// </summary>
    public byte[] ToBinary()
    {
        int n = Results.Length;
        var bytes = new byte[9 * n];
        var scores = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(0, 4 * n));
        var probabilities = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(4 * n, 4 * n));
        var flags = bytes.AsSpan(8 * n, n);
        for (int r = 0; r < n; r++)
        {
            var result = Results[r];
            scores[r] = result.Score;
            probabilities[r] = result.Probability ?? float.NaN;
            flags[r] = result.IsAnomaly ? (byte)1 : (byte)0;
        }
        if (!BitConverter.IsLittleEndian)
        {
            var words = MemoryMarshal.Cast<byte, int>(bytes.AsSpan(0, 8 * n));
            System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(words, words);
        }
        return bytes;
    }
}

/// <summary>Healthy once a model is loaded.</summary>
internal sealed class ModelHealth(ModelHost host) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(host.Ready ? HealthCheckResult.Healthy("a model is loaded") : HealthCheckResult.Unhealthy("no model is loaded yet"));
}

/// <summary>The service's entry point, for WebApplicationFactory in the tests.</summary>
public partial class Program;
