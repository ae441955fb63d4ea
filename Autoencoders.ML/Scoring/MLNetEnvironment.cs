using System.Reflection;
using Microsoft.ML.Runtime;

namespace Autoencoders.ML.Scoring;

/// <summary>
/// Reaches the <see cref="IHostEnvironment"/> behind an ML.NET catalog, so our stages log to <c>MLContext.Log</c> and
/// draw seeds from the MLContext's seed like ML.NET's own trainers. ML.NET keeps the property internal
/// (<c>CatalogUtils.GetEnvironment</c> is for its own assemblies), so it is read by reflection.
/// </summary>
internal static class MLNetEnvironment
{
    public static IHostEnvironment FromCatalog(object catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return Find(catalog, depth: 0)
            ?? throw new InvalidOperationException(
                $"Cannot find the ML.NET environment behind {catalog.GetType().FullName}; this Microsoft.ML version is not supported.");
    }

    // Catalogs hold the environment in an internal member ('Environment' or a field); the nested trainer catalogs
    // (e.g. AnomalyDetectionCatalog.AnomalyDetectionTrainers) reach it through their owning catalog.
    private static IHostEnvironment? Find(object catalog, int depth)
    {
        const BindingFlags Members = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
        var values = new List<object>();
        for (var type = catalog.GetType(); type is not null; type = type.BaseType)
        {
            values.AddRange(type.GetProperties(Members).Where(p => p.GetIndexParameters().Length == 0 && p.PropertyType.IsClass)
                .Select(p => p.GetValue(catalog)).OfType<object>());
            values.AddRange(type.GetFields(Members).Select(f => f.GetValue(catalog)).OfType<object>());
        }
        if (values.OfType<IHostEnvironment>().FirstOrDefault() is { } environment)
            return environment;
        if (depth > 0)
            return null;
        return values.Where(v => v.GetType().Namespace == "Microsoft.ML").Select(v => Find(v, depth + 1)).FirstOrDefault(e => e is not null);
    }

    /// <summary>Sends a warning to the environment's log (MLContext.Log).</summary>
    public static void Warn(IHostEnvironment environment, string component, string message)
    {
        using var channel = environment.Register(component).Start(component);
        channel.Warning(MessageSensitivity.None, message);
    }

    /// <summary>Sends an informational message to the environment's log (MLContext.Log).</summary>
    public static void Info(IHostEnvironment environment, string component, string message)
    {
        using var channel = environment.Register(component).Start(component);
        channel.Info(MessageSensitivity.None, message);
    }
}
