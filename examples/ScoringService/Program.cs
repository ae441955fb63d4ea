using System.Buffers;
using System.Text.Json;
using Autoencoders.ScoringService;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

// An anomaly-scoring web service for models saved by this library (see README, "Serving"):
//   dotnet run -c Release --project examples/ScoringService -- --urls http://127.0.0.1:5080 --model path/to/model.zip
// POST /score {"rows": [[...], ...]} -> {"results": [{"score", "isAnomaly", "probability"}, ...]}; GET /health; GET /model.
var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddCommandLine(args, new Dictionary<string, string> { ["--model"] = "Model:Path" });
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
        (body, int length) = await ReadBody(http, settings.MaxRequestBytes);
        var response = await host.UseAsync(async model =>
        {
            var (values, rows) = ScoreRequest.Parse(body.AsSpan(0, length), model.Features, settings.MaxRows);
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
            : Results.Ok(response);
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

static ScoreResponse Constant(int rows) => new(Enumerable.Repeat(new RowResult(0f, false, 0.5f), rows).ToArray());

/// <summary>The body of a successful <c>POST /score</c>: one result per row, in the request's order.</summary>
internal sealed record ScoreResponse(RowResult[] Results);

/// <summary>Healthy once a model is loaded.</summary>
internal sealed class ModelHealth(ModelHost host) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(host.Ready ? HealthCheckResult.Healthy("a model is loaded") : HealthCheckResult.Unhealthy("no model is loaded yet"));
}

/// <summary>The service's entry point, for WebApplicationFactory in the tests.</summary>
public partial class Program;
