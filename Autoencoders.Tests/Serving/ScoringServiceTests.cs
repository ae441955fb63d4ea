using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Autoencoders.ML;
using Autoencoders.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.Tests.Serving;

/// <summary>
/// The scoring service (examples/ScoringService) through its real pipeline: bad requests get 4xx problem details that
/// name the cause, concurrent requests get the in-process transformer's scores, a model file renamed over the path
/// replaces the model under load without a failed request, and a broken replacement keeps the old model serving.
/// </summary>
[TestClass]
public sealed class ScoringServiceTests
{
    private const int Features = 6;
    private static string _folder = "";
    private static string _modelA = "", _modelB = "";

    [ClassInitialize]
    public static void TrainModels(TestContext _)
    {
        _folder = Directory.CreateTempSubdirectory("autoencoders-service").FullName;
        _modelA = Train(seed: 1, Path.Combine(_folder, "a.zip"), kind: null);
        _modelB = Train(seed: 2, Path.Combine(_folder, "b.zip"), kind: Autoencoders.Training.Trainers.ScoreKind.ReconstructionError);
    }

    [ClassCleanup]
    public static void Clean() => Directory.Delete(_folder, recursive: true);

    private static string Train(int seed, string path, Autoencoders.Training.Trainers.ScoreKind? kind, int features = Features)
    {
        var context = new MLContext(seed: seed);
        var data = FeatureRow.Load(context, FeatureRow.From(SyntheticData.Normal(300, features, seed: seed), false), features);
        var options = new Autoencoders.ML.AnomalyDetection.AutoencoderAnomalyDetectionTrainer.Options { NumberOfEpochs = 3, Seed = seed };
        if (kind is { } score)
            options.ScoreKind = score;
        using var model = context.AnomalyDetection.Trainers.Autoencoder(options).Fit(data);
        context.Model.Save(model, data.Schema, path);
        return path;
    }

    /// <summary>The service on a model file of its own (a copy, so tests can replace it), polled fast.</summary>
    private static (WebApplicationFactory<Program> Factory, string Path) Start(string model)
    {
        string path = System.IO.Path.Combine(_folder, $"served-{Guid.NewGuid():N}.zip");
        File.Copy(model, path);
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Model:Path", path);
            web.UseSetting("Model:MaxRows", "500");
            web.UseSetting("Model:MaxRequestBytes", "200000");
            web.UseSetting("Model:PollMilliseconds", "100");
            web.UseSetting("Model:ReloadQuietMilliseconds", "200");
        });
        return (factory, path);
    }

    private static float[][] Rows(int count, int seed) =>
        Enumerable.Range(0, count).Select(r => SyntheticData.Normal(1, Features, seed: seed * 1000 + r).Values).ToArray();

    private static float[] InProcess(string model, float[][] rows)
    {
        var context = new MLContext();
        using var transformer = (IDisposable)context.Model.LoadWithAutoencoders(model, out _);
        return ((ITransformer)transformer).Transform(FeatureRow.Load(context, rows.Select(f => new FeatureRow { Features = f }), Features)).GetColumn<float>("Score").ToArray();
    }

    private static async Task<(HttpStatusCode Status, JsonDocument Body)> Post(HttpClient client, string json)
    {
        using var response = await client.PostAsync("/score", new StringContent(json, Encoding.UTF8, "application/json"));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()));
    }

    private static string Json(float[][] rows) => JsonSerializer.Serialize(new { rows });

    [TestMethod]
    public async Task BadRequests_Get400Or413_NamingTheCause()
    {
        var (factory, _) = Start(_modelA);
        using (factory)
        {
            var client = factory.CreateClient();
            string row = string.Join(",", Enumerable.Repeat("1", Features));
            var cases = new (string Body, HttpStatusCode Status, string Detail)[]
            {
                ($"{{\"rows\": [[{row}], [1, 2, 3]]}}", HttpStatusCode.BadRequest, $"Row 2 has 3 values; the model expects {Features}"),
                ($"{{\"rows\": [[{row}, 7]]}}", HttpStatusCode.BadRequest, $"Row 1 has {Features + 1} values; the model expects {Features}"),
                ($"{{\"rows\": [[\"a\", 1, 1, 1, 1, 1]]}}", HttpStatusCode.BadRequest, "Row 1, value 1 is a string; expected a number"),
                ($"{{\"rows\": [[1, null, 1, 1, 1, 1]]}}", HttpStatusCode.BadRequest, "Row 1, value 2 is null; expected a number"),
                ($"{{\"rows\": [[1, 1, \"NaN\", 1, 1, 1]]}}", HttpStatusCode.BadRequest, "Row 1, value 3 is a string; expected a number"),
                ($"{{\"rows\": [[1, 1, 1, 1e39, 1, 1]]}}", HttpStatusCode.BadRequest, "Row 1, value 4 (1e39) is not a finite 32-bit float"),
                ($"{{\"rows\": [[1, 1, {new string('9', 100_000)}, 1, 1, 1]]}}", HttpStatusCode.BadRequest, "Row 1, value 3 (99999999999999999999…999999999999, 100000 characters) is not a finite 32-bit float"),
                ("{\"rows\": []}", HttpStatusCode.BadRequest, "'rows' is empty"),
                ("{\"other\": 1}", HttpStatusCode.BadRequest, "The body has no 'rows'"),
                ("{\"rows\": [[1, 2", HttpStatusCode.BadRequest, "The body is not valid JSON"),
                ("", HttpStatusCode.BadRequest, "The body is empty"),
                ("{\"r\\u006fws\": [[1, 2, 3]]}", HttpStatusCode.BadRequest, $"Row 1 has 3 values; the model expects {Features}"), // an escaped name
                ("[1, 2]", HttpStatusCode.BadRequest, "The body must be a JSON object"),
                ($"{{\"rows\": [{string.Join(",", Enumerable.Repeat($"[{row}]", 501))}]}}", HttpStatusCode.BadRequest, "more than 500 rows"),
                ($"{{\"rows\": [[{row}]], \"pad\": \"{new string('x', 200_001)}\"}}", HttpStatusCode.RequestEntityTooLarge, "at most 200000 are accepted"),
            };
            foreach (var (body, status, detail) in cases)
            {
                var (actual, json) = await Post(client, body);
                Assert.AreEqual(status, actual, body.Length > 80 ? body[..80] : body);
                StringAssert.Contains(json.RootElement.GetProperty("detail").GetString(), detail);
                Assert.AreEqual((int)status, json.RootElement.GetProperty("status").GetInt32());
            }
            // Bytes that are not UTF-8 — in a member the service skips too (JSON text is UTF-8): 400 naming the byte.
            foreach (var (body, detail) in new (byte[], string)[]
            {
                ([.. "{\"id\": \"a"u8, 0xFF, .. Encoding.UTF8.GetBytes($"\", \"rows\": [[{row}]]}}")], "not valid UTF-8: the byte at offset 9 (0xFF)"),
                ([.. "{\"r"u8, 0xED, 0xA0, 0x80, .. Encoding.UTF8.GetBytes($"ows\": [[{row}]]}}")], "not valid UTF-8: the byte at offset 3 (0xED)"), // an encoded surrogate
            })
            {
                using var response = await PostBytes(client, body, accept: null, "application/json");
                Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, detail);
                StringAssert.Contains(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString(), detail);
            }
            // The service still scores afterwards, a body that starts with a UTF-8 byte order mark too.
            var (ok, result) = await Post(client, Json(Rows(1, 9)));
            Assert.AreEqual(HttpStatusCode.OK, ok);
            Assert.AreEqual(1, result.RootElement.GetProperty("results").GetArrayLength());
            using var withBom = await PostBytes(client, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Json(Rows(2, 9)))], accept: null, "application/json");
            Assert.AreEqual(HttpStatusCode.OK, withBom.StatusCode);
            Assert.AreEqual(2, JsonDocument.Parse(await withBom.Content.ReadAsStringAsync()).RootElement.GetProperty("results").GetArrayLength());
        }
    }

    [TestMethod]
    public async Task ConcurrentRequests_GetTheInProcessScores_InOrder()
    {
        var (factory, _) = Start(_modelA);
        using (factory)
        {
            var client = factory.CreateClient();
            Assert.AreEqual(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
            var requests = Enumerable.Range(0, 64).Select(i => Rows(i % 2 == 0 ? 1 : 40, seed: i)).ToArray();
            var responses = await Task.WhenAll(requests.Select(rows => Post(client, Json(rows))));
            for (int i = 0; i < requests.Length; i++)
            {
                Assert.AreEqual(HttpStatusCode.OK, responses[i].Status, $"request {i}");
                var results = responses[i].Body.RootElement.GetProperty("results").EnumerateArray().ToArray();
                var expected = InProcess(_modelA, requests[i]);
                Assert.HasCount(expected.Length, results);
                Floats.AssertClose(expected, results.Select(r => r.GetProperty("score").GetSingle()), Floats.ScoreRowVersusBatch, $"request {i} score");
                foreach (var r in results)
                {
                    float p = r.GetProperty("probability").GetSingle();
                    Assert.IsTrue(p is >= 0 and <= 1, $"probability {p}");
                    Assert.IsTrue(r.GetProperty("isAnomaly").ValueKind is JsonValueKind.True or JsonValueKind.False);
                }
            }
            var model = await client.GetFromJsonAsync<JsonElement>("/model");
            Assert.AreEqual(Features, model.GetProperty("features").GetInt32());
            Assert.AreEqual("nearest_neighbors", model.GetProperty("scoreKind").GetString());
            StringAssert.Contains(model.GetProperty("contents").GetString(), "no training row");
        }
    }

    [TestMethod]
    public async Task RowsTooLargeToMeasure_ScorePlusInfinity_AsInProcess_WrittenAsTheNamedLiteral()
    {
        foreach (string model in new[] { _modelA, _modelB })
        {
            var (factory, _) = Start(model);
            using (factory)
            {
                var client = factory.CreateClient();
                // Finite float32 values whose squared distances overflow: in process the score is +inf and the row is flagged.
                float[][] rows = [Enumerable.Repeat(1e30f, Features).ToArray(), Rows(1, seed: 5)[0]];
                var expected = InProcess(model, rows);
                Assert.AreEqual(float.PositiveInfinity, expected[0], "in process");
                var (status, json) = await Post(client, Json(rows));
                Assert.AreEqual(HttpStatusCode.OK, status, json.RootElement.GetRawText());
                var results = json.RootElement.GetProperty("results").EnumerateArray().ToArray();
                Assert.AreEqual(JsonValueKind.String, results[0].GetProperty("score").ValueKind);
                Assert.AreEqual("Infinity", results[0].GetProperty("score").GetString());
                Assert.IsTrue(results[0].GetProperty("isAnomaly").GetBoolean());
                Assert.AreEqual(1f, results[0].GetProperty("probability").GetSingle());
                Floats.AssertClose([expected[1]], [results[1].GetProperty("score").GetSingle()], Floats.ScoreRowVersusBatch, "the other row");
                // One row alone (the pooled-engine path), and the float32 answer (+inf as a float).
                var (_, one) = await Post(client, Json(rows[..1]));
                Assert.AreEqual("Infinity", one.RootElement.GetProperty("results")[0].GetProperty("score").GetString());
                using var response = await PostBytes(client, Float32(rows), "application/octet-stream");
                Assert.AreEqual(float.PositiveInfinity, System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(await response.Content.ReadAsByteArrayAsync()));
            }
        }
    }

    [TestMethod]
    public void AspNetCoreRequestLogs_AreAtWarning_UnlessConfigured()
    {
        // At Information, ASP.NET Core writes several lines per request, which halved the service's one-row rate.
        static bool Enabled(WebApplicationFactory<Program> factory, string category) =>
            factory.Services.GetRequiredService<ILoggerFactory>().CreateLogger(category).IsEnabled(LogLevel.Information);
        var (factory, _) = Start(_modelA);
        using (factory)
        {
            Assert.IsFalse(Enabled(factory, "Microsoft.AspNetCore.Hosting.Diagnostics"));
            Assert.IsTrue(Enabled(factory, "Autoencoders.ScoringService.ModelHost"), "model loads and swaps are logged");
        }
        var (plain, _) = Start(_modelA);
        using var configured = plain.WithWebHostBuilder(web => web.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Information"));
        Assert.IsTrue(Enabled(configured, "Microsoft.AspNetCore.Hosting.Diagnostics"), "the configuration overrides the default");
        plain.Dispose();
    }

    private static byte[] Float32(float[][] rows) => [.. rows.SelectMany(row => row).SelectMany(value =>
    {
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        return bytes;
    })];

    /// <summary>Posts <paramref name="body"/> as it is, with <paramref name="contentType"/> (float32 rows unless told) and an Accept header when given.</summary>
    private static async Task<HttpResponseMessage> PostBytes(HttpClient client, byte[] body, string? accept, string contentType = "application/octet-stream")
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/score") { Content = content };
        if (accept is not null)
            request.Headers.Accept.ParseAdd(accept);
        return await client.SendAsync(request);
    }

    [TestMethod]
    public async Task Float32Bodies_GetTheJsonAnswers_AndBinaryOnesWhenAsked()
    {
        var (factory, _) = Start(_modelA);
        using (factory)
        {
            var client = factory.CreateClient();
            var rows = Rows(37, seed: 12);
            var (_, json) = await Post(client, Json(rows));
            var expected = json.RootElement.GetProperty("results").EnumerateArray().ToArray();
            Floats.AssertClose(InProcess(_modelA, rows), expected.Select(r => r.GetProperty("score").GetSingle()), Floats.ScoreRowVersusBatch, "JSON scores");

            // Float32 rows in, JSON out (no Accept, or one that prefers JSON).
            foreach (string? accept in new[] { null, "application/json", "application/json, application/octet-stream;q=0.5" })
            {
                using var response = await PostBytes(client, Float32(rows), accept);
                Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, accept);
                Assert.AreEqual("application/json", response.Content.Headers.ContentType?.MediaType, accept);
                var results = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("results").EnumerateArray().ToArray();
                CollectionAssert.AreEqual(expected.Select(r => r.GetRawText()).ToArray(), results.Select(r => r.GetRawText()).ToArray(), accept);
            }

            // Binary out: 37 scores, 37 probabilities, 37 flags — the JSON answer's values, bit for bit.
            foreach (var body in new[] { Float32(rows), Encoding.UTF8.GetBytes(Json(rows)) })
            {
                using var response = await PostBytes(client, body, "application/octet-stream", body[0] == (byte)'{' ? "application/json" : "application/octet-stream");
                Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
                Assert.AreEqual("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
                byte[] answer = await response.Content.ReadAsByteArrayAsync();
                Assert.HasCount(9 * rows.Length, answer);
                for (int r = 0; r < rows.Length; r++)
                {
                    Assert.AreEqual(expected[r].GetProperty("score").GetSingle(), System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(answer.AsSpan(4 * r)), $"score {r}");
                    Assert.AreEqual(expected[r].GetProperty("probability").GetSingle(), System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(answer.AsSpan(4 * (rows.Length + r))), $"probability {r}");
                    Assert.AreEqual(expected[r].GetProperty("isAnomaly").GetBoolean() ? 1 : 0, answer[8 * rows.Length + r], $"flag {r}");
                }
            }

            // Bad float32 bodies: 400 naming the cause.
            var nan = Float32(Rows(3, seed: 4));
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(nan.AsSpan(4 * (Features + 2)), float.NaN);
            var infinite = Float32(Rows(2, seed: 4));
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(infinite.AsSpan(4 * (2 * Features - 1)), float.NegativeInfinity);
            foreach (var (body, detail) in new[]
            {
                (Float32(Rows(2, seed: 3))[..(4 * Features + 10)], $"The body has {4 * Features + 10} bytes, not a whole number of rows of {Features} little-endian float32 values ({4 * Features} bytes each): 1 whole row and 10 bytes over"),
                (Float32(Rows(3, seed: 3))[..(4 * Features * 2 + 4)], $"{2 * 4 * Features + 4} bytes, not a whole number of rows of {Features} little-endian float32 values ({4 * Features} bytes each): 2 whole rows and 4 bytes over"),
                (nan, "Row 2, value 3 (NaN) is not a finite 32-bit float"),
                (infinite, $"Row 2, value {Features} (-Infinity) is not a finite 32-bit float"),
                ([], "The body is empty"),
                (Float32(Rows(501, seed: 1)), "The request has 501 rows; at most 500"),
            })
            {
                using var response = await PostBytes(client, body, "application/octet-stream");
                Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, detail);
                var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                StringAssert.Contains(problem.GetProperty("detail").GetString(), detail);
            }
        }
    }

    [TestMethod]
    public async Task ModelRenamedOverThePath_ReplacesIt_UnderLoad_WithoutAFailedRequest()
    {
        var (factory, path) = Start(_modelA);
        using (factory)
        {
            var client = factory.CreateClient();
            var before = await client.GetFromJsonAsync<JsonElement>("/model");
            using var stop = new CancellationTokenSource();
            var failures = new List<string>();
            int requests = 0;
            var probe = Rows(20, seed: 77);
            var (scoresA, scoresB) = (InProcess(_modelA, probe), InProcess(_modelB, probe));
            int mixed = 0;
            var clients = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var (status, body) = await Post(client, Json(probe));
                    Interlocked.Increment(ref requests);
                    if (status != HttpStatusCode.OK)
                    {
                        lock (failures)
                            failures.Add($"{status}: {body.RootElement}");
                        continue;
                    }
                    var scores = body.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("score").GetSingle()).ToArray();
                    bool allA = scores.Zip(scoresA).All(p => Math.Abs(p.First - p.Second) <= 1e-5 * Math.Max(1, Math.Abs(p.Second)));
                    bool allB = scores.Zip(scoresB).All(p => Math.Abs(p.First - p.Second) <= 1e-5 * Math.Max(1, Math.Abs(p.Second)));
                    if (!allA && !allB)
                        Interlocked.Increment(ref mixed);
                }
            })).ToArray();
            await Task.Delay(500);
            // Publish the new model the safe way: written elsewhere, then renamed over the path.
            string staging = path + ".new";
            File.Copy(_modelB, staging);
            File.Move(staging, path, overwrite: true);
            JsonElement after = before;
            for (int i = 0; i < 100 && after.GetProperty("sha256").GetString() == before.GetProperty("sha256").GetString(); i++)
            {
                await Task.Delay(100);
                after = await client.GetFromJsonAsync<JsonElement>("/model");
            }
            await Task.Delay(500);
            stop.Cancel();
            await Task.WhenAll(clients);
            Assert.IsEmpty(failures, string.Join("\n", failures.Take(3)));
            Assert.AreEqual(0, mixed, "every response is one model's scores");
            Assert.AreNotEqual(before.GetProperty("sha256").GetString(), after.GetProperty("sha256").GetString(), "the new file was loaded");
            Assert.AreEqual("reconstruction_error", after.GetProperty("scoreKind").GetString());
            Assert.IsGreaterThan(20, requests);
            var (status, last) = await Post(client, Json(probe));
            Floats.AssertClose(scoresB, last.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("score").GetSingle()), Floats.ScoreRowVersusBatch, "score after the swap");
        }
    }

    [TestMethod]
    public async Task BrokenReplacement_KeepsTheOldModelServing()
    {
        var (factory, path) = Start(_modelA);
        using (factory)
        {
            var client = factory.CreateClient();
            var before = await client.GetFromJsonAsync<JsonElement>("/model");
            var probe = Rows(5, seed: 5);
            foreach (var broken in new Func<byte[]>[]
            {
                () => File.ReadAllBytes(_modelA)[..1000],                                   // truncated
                () => Encoding.UTF8.GetBytes("not a model"),                                // not one of ours
                () => File.ReadAllBytes(Train(seed: 3, Path.Combine(_folder, "wide.zip"), kind: null, features: Features + 2)), // another feature count
            })
            {
                string staging = path + ".new";
                File.WriteAllBytes(staging, broken());
                File.Move(staging, path, overwrite: true);
                await Task.Delay(1200);
                var (status, body) = await Post(client, Json(probe));
                Assert.AreEqual(HttpStatusCode.OK, status);
                Floats.AssertClose(InProcess(_modelA, probe), body.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("score").GetSingle()),
                    Floats.ScoreRowVersusBatch, "score");
                var now = await client.GetFromJsonAsync<JsonElement>("/model");
                Assert.AreEqual(before.GetProperty("sha256").GetString(), now.GetProperty("sha256").GetString());
                Assert.AreEqual(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
            }
        }
    }
}
