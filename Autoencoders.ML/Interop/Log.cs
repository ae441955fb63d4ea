using Microsoft.ML.Runtime;

namespace Autoencoders.ML.Interop;

/// <summary>Messages on the environment's channel, so they reach <c>MLContext.Log</c> like those of ML.NET's own components.</summary>
internal static class Log
{
    /// <summary>Sends a warning from <paramref name="component"/>.</summary>
    public static void Warning(IHostEnvironment environment, string component, string message)
    {
        using var channel = environment.Register(component).Start(component);
        channel.Warning(MessageSensitivity.None, message);
    }

    /// <summary>Sends an informational message from <paramref name="component"/>.</summary>
    public static void Info(IHostEnvironment environment, string component, string message)
    {
        using var channel = environment.Register(component).Start(component);
        channel.Info(MessageSensitivity.None, message);
    }
}
