using Microsoft.ML.Runtime;

namespace Autoencoders.ML.Interop;

/// <summary>
/// One token for a Fit that is cancelled by the caller's <see cref="CancellationToken"/> or by the MLContext
/// (<c>CancelExecution</c>, whose flag ML.NET keeps internal: it is polled every <see cref="PollMilliseconds"/> ms).
/// </summary>
internal sealed class EnvironmentCancellation : IDisposable
{
    /// <summary>How often the environment's flag is read.</summary>
    public const int PollMilliseconds = 50;

    private readonly CancellationTokenSource _source;
    private readonly Timer _timer;

    public EnvironmentCancellation(IHostEnvironment environment, CancellationToken token)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(token);
        if (MLNetInternals.IsCanceled(environment))
            _source.Cancel();
        _timer = new Timer(_ =>
        {
            try
            {
                if (MLNetInternals.IsCanceled(environment))
                    _source.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The Fit ended while this tick ran.
            }
        }, null, PollMilliseconds, PollMilliseconds);
    }

    /// <summary>Cancelled when either the caller's token or the environment is.</summary>
    public CancellationToken Token => _source.Token;

    public void Dispose()
    {
        _timer.Dispose();
        _source.Dispose();
    }
}
