using System.Globalization;
using Autoencoders.Training.Scores;

namespace Autoencoders.Benchmarks.Support;

/// <summary>
/// The nearest-neighbour score's settings from the command line, each defaulting to the library's:
/// <c>--neighbors K</c>, <c>--reference prototypes|rows</c>, <c>--reference-size N</c> (0: automatic),
/// <c>--prototype-members N</c>, <c>--neighbor-smoothing S|auto</c> (σ in pixels), <c>--neighbor-shift N|auto</c> (pixels, 0 for none),
/// <c>--neighbor-edges on|off</c>, <c>--neighbor-hidden auto|on|off</c>, <c>--neighbor-reconstruction W</c>.
/// </summary>
internal static class NeighborArguments
{
    public static NeighborScoreOptions Parse(Arguments arguments)
    {
        var defaults = new NeighborScoreOptions();
        return new NeighborScoreOptions
        {
            Count = arguments.Int("neighbors", defaults.Count),
            Reference = arguments.String("reference", defaults.Reference == NeighborReference.Prototypes ? "prototypes" : "rows") switch
            {
                "prototypes" => NeighborReference.Prototypes,
                "rows" => NeighborReference.TrainingRows,
                var other => throw new ArgumentOutOfRangeException("--reference", other, "Expected prototypes or rows."),
            },
            ReferenceSize = arguments.Int("reference-size", defaults.ReferenceSize, minimum: 0),
            PrototypeMembers = arguments.Int("prototype-members", defaults.PrototypeMembers),
            Smoothing = arguments.String("neighbor-smoothing", "auto") is "auto" ? null : arguments.Double("neighbor-smoothing", 0),
            Shift = arguments.String("neighbor-shift", "auto") is "auto" ? null : arguments.Int("neighbor-shift", 0, minimum: 0),
            EdgeHistograms = arguments.OnOff("neighbor-edges", defaults.EdgeHistograms),
            ReconstructionWeight = arguments.Double("neighbor-reconstruction", defaults.ReconstructionWeight),
            HiddenFeatures = arguments.String("neighbor-hidden", "auto") switch
            {
                "auto" => null,
                "on" => true,
                "off" => false,
                var other => throw new ArgumentOutOfRangeException("--neighbor-hidden", other, "Expected auto, on or off."),
            },
        };
    }

    /// <summary>The settings that differ from the library's defaults, e.g. <c>reference rows, reconstruction weight 0.3</c>; empty when none do.</summary>
    public static string Differences(NeighborScoreOptions options, bool images)
    {
        var defaults = new NeighborScoreOptions();
        var c = CultureInfo.InvariantCulture;
        var parts = new List<string>();
        if (options.Count != defaults.Count) parts.Add(string.Create(c, $"{options.Count} neighbours"));
        if (options.Reference != defaults.Reference) parts.Add($"reference {options.Reference}");
        if (options.ReferenceSize != defaults.ReferenceSize) parts.Add(string.Create(c, $"reference size {options.ReferenceSize}"));
        if (options.PrototypeMembers != defaults.PrototypeMembers) parts.Add(string.Create(c, $"prototype members {options.PrototypeMembers}"));
        if (images && options.Smoothing != defaults.Smoothing) parts.Add(string.Create(c, $"smoothing {options.Smoothing}"));
        if (images && options.Shift != defaults.Shift) parts.Add(string.Create(c, $"shift {options.Shift}"));
        if (images && options.EdgeHistograms != defaults.EdgeHistograms) parts.Add($"edge histograms {(options.EdgeHistograms ? "on" : "off")}");
        if (options.HiddenFeatures is bool hidden) parts.Add($"hidden features {(hidden ? "on" : "off")}");
        if (options.ReconstructionWeight != defaults.ReconstructionWeight) parts.Add(string.Create(c, $"reconstruction weight {options.ReconstructionWeight}"));
        return string.Join(", ", parts);
    }
}
