using System.Globalization;

namespace Autoencoders.Benchmarks.Support;

/// <summary>Parses <c>--name value</c> pairs after the subcommand.</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public Arguments(IEnumerable<string> arguments)
    {
        var list = arguments.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            if (!list[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= list.Count)
                throw new ArgumentException($"Expected '--name value' pairs, got '{list[i]}'.");
            _values[list[i][2..]] = list[++i];
        }
    }

    public string String(string name, string fallback) => _values.TryGetValue(name, out var text) ? text : fallback;

    /// <summary>An integer of at least <paramref name="minimum"/> (default 1).</summary>
    public int Int(string name, int fallback, int minimum = 1)
    {
        if (!_values.TryGetValue(name, out var text))
            return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < minimum)
            throw new ArgumentOutOfRangeException("--" + name, text, minimum == 1 ? "Expected a positive integer." : $"Expected an integer of at least {minimum}.");
        return value;
    }

    /// <summary>A switch written <c>on</c> or <c>off</c>.</summary>
    public bool OnOff(string name, bool fallback) => String(name, fallback ? "on" : "off") switch
    {
        "on" => true,
        "off" => false,
        var other => throw new ArgumentOutOfRangeException("--" + name, other, "Expected on or off."),
    };

    /// <summary>A number of at least 0, written with a dot as the decimal separator whatever the culture.</summary>
    public double Double(string name, double fallback)
    {
        if (!_values.TryGetValue(name, out var text))
            return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value >= 0) || !double.IsFinite(value))
            throw new ArgumentOutOfRangeException("--" + name, text, "Expected a number of at least 0 (e.g. 1.5).");
        return value;
    }
}
