using Microsoft.Extensions.Options;

namespace Autoencoders.ScoringService;

/// <summary>
/// Keeps the current model and replaces it when its file changes: the file is watched (its directory's events, and its
/// size and times checked every <see cref="ServiceOptions.PollMilliseconds"/>, because an event can be missed and a file
/// renamed over the path — the safe way to publish a model — raises no change of the file itself), and once it has been
/// quiet for <see cref="ServiceOptions.ReloadQuietMilliseconds"/> the new version is loaded beside the old one and, if it
/// loads, has the same feature count and scores a probe row, swapped in atomically. Requests in flight finish on the
/// model they started with (<see cref="LoadedModel"/> counts them); a version that does not load leaves the old model
/// serving, and the log says why.
/// </summary>
internal sealed class ModelHost : IHostedService, IDisposable
{
    private static readonly EventId Loaded = new(1, "ModelLoaded");
    private static readonly EventId LoadFailed = new(2, "ModelLoadFailed");

    private readonly ServiceOptions _options;
    private readonly ILogger<ModelHost> _log;
    private readonly object _reloading = new();
    private LoadedModel? _current;
    private FileSystemWatcher? _watcher;
    private Timer? _poll;
    private (long Length, DateTime Written, DateTime Created)? _seen;
    private DateTime _changedAt;

    public ModelHost(IOptions<ServiceOptions> options, ILogger<ModelHost> log)
    {
        _options = options.Value;
        _log = log;
    }

    /// <summary>Whether a model is loaded (<c>GET /health</c>).</summary>
    public bool Ready => Volatile.Read(ref _current) is not null;

    /// <summary>Loads versions seen so far: how many replaced the model, and how many were refused.</summary>
    public (int Swaps, int Refused) Reloads => (_swaps, _refused);

    private int _swaps, _refused;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        string path = Path.GetFullPath(_options.Path);
        _seen = Signature(path);
        TryLoad(path, initial: true);
        string directory = Path.GetDirectoryName(path)!;
        if (Directory.Exists(directory))
        {
            _watcher = new FileSystemWatcher(directory, Path.GetFileName(path))
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            FileSystemEventHandler changed = (_, _) => Touched();
            _watcher.Changed += changed;
            _watcher.Created += changed;
            _watcher.Renamed += (_, _) => Touched();
            _watcher.EnableRaisingEvents = true;
        }
        _poll = new Timer(_ => Check(path), null, _options.PollMilliseconds, _options.PollMilliseconds);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _watcher?.Dispose();
        _poll?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Runs <paramref name="score"/> on the current model, holding a reference until its task ends (a request finishes on
    /// the model it started with); null when no model is loaded yet.
    /// </summary>
    public async Task<T?> UseAsync<T>(Func<LoadedModel, Task<T>> score) where T : class
    {
        while (true)
        {
            var model = Volatile.Read(ref _current);
            if (model is null)
                return null;
            if (!model.TryAcquire())
                continue; // swapped and disposed just now: take the new one
            try
            {
                return await score(model);
            }
            finally
            {
                model.Release();
            }
        }
    }

    private void Touched()
    {
        lock (_reloading)
            _changedAt = DateTime.UtcNow;
    }

    /// <summary>Loads the file when its signature changed and it has been quiet long enough.</summary>
    private void Check(string path)
    {
        lock (_reloading)
        {
            var signature = Signature(path);
            if (signature != _seen)
            {
                _seen = signature;
                _changedAt = DateTime.UtcNow;
                return;
            }
            if (_changedAt == default || (DateTime.UtcNow - _changedAt).TotalMilliseconds < _options.ReloadQuietMilliseconds || signature is null)
                return;
            _changedAt = default;
            TryLoad(path, initial: false);
        }
    }

    private void TryLoad(string path, bool initial)
    {
        var previous = Volatile.Read(ref _current);
        try
        {
            var model = LoadedModel.Load(path, previous?.Features);
            var old = Interlocked.Exchange(ref _current, model);
            old?.Release(); // disposed once the requests on it finish
            if (!initial)
                Interlocked.Increment(ref _swaps);
            _log.LogInformation(Loaded, "Serving {Path} ({Features} features, {ScoreKind} score, threshold {Threshold}, sha256 {Sha256}){Replaced}.",
                path, model.Features, model.Info.ScoreKind, model.Info.Threshold, model.Info.Sha256[..16], old is null ? "" : ", replacing the previous version");
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref _refused);
            _log.LogError(LoadFailed, e, "The model file {Path} did not load: {Reason}{Keeping}", path, e.Message,
                previous is null ? " No model is served yet (GET /health answers 503)." : " The previous version keeps serving.");
        }
    }

    private static (long, DateTime, DateTime)? Signature(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? (file.Length, file.LastWriteTimeUtc, file.CreationTimeUtc) : null;
    }

    /// <summary>The model being served (for <c>GET /model</c>); null before the first one loads.</summary>
    public ModelInfo? Info => Volatile.Read(ref _current)?.Info;

    public void Dispose()
    {
        _watcher?.Dispose();
        _poll?.Dispose();
        Interlocked.Exchange(ref _current, null)?.Release();
    }
}
