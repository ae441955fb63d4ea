using System.ComponentModel.DataAnnotations;

namespace Autoencoders.ScoringService;

/// <summary>The service's settings, bound from the configuration section <c>Model</c> (<c>--model</c> sets <c>Model:Path</c>) and checked at start-up.</summary>
public sealed class ServiceOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Model";

    /// <summary>The model file, saved by <c>mlContext.Model.Save</c> from a stage of this library. Required.</summary>
    [Required(ErrorMessage = "Set the model file: --model path/to/model.zip, or Model:Path in the configuration.")]
    public string Path { get; set; } = "";

    /// <summary>Most rows one request may score. Default 10,000.</summary>
    [Range(1, 1_000_000)]
    public int MaxRows { get; set; } = 10_000;

    /// <summary>Largest request body, in bytes; a larger one gets 413. Default 32 MiB.</summary>
    [Range(1024, 1L << 30)]
    public long MaxRequestBytes { get; set; } = 32L << 20;

    /// <summary>How long the model file must stay unchanged before a new version is loaded, in milliseconds. Default 300.</summary>
    [Range(0, 60_000)]
    public int ReloadQuietMilliseconds { get; set; } = 300;

    /// <summary>How often the file's size and times are checked besides the file watcher's events, in milliseconds. Default 1,000.</summary>
    [Range(50, 3_600_000)]
    public int PollMilliseconds { get; set; } = 1_000;

    /// <summary>
    /// For the benchmark only: answer every request with constant results after parsing and checking it as usual, so a
    /// load test measures the HTTP stack's ceiling on this machine. Default <see langword="false"/>.
    /// </summary>
    public bool ConstantScores { get; set; }
}
