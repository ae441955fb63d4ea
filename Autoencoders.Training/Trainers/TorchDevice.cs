using TorchSharp;

namespace Autoencoders.Training.Trainers;

/// <summary>Turns a device name into a TorchSharp device, falling back to CPU when CUDA is missing and that is allowed.</summary>
internal static class TorchDevice
{
    /// <summary>Checks the form of <paramref name="name"/>: <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public static (DeviceType Type, int Index) Parse(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name, "TrainingDevice");
        string n = name.Trim().ToLowerInvariant();
        if (n == "cpu")
            return (DeviceType.CPU, -1);
        if (n == "cuda")
            return (DeviceType.CUDA, 0);
        if (n.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(n[5..], out int index) && index >= 0)
            return (DeviceType.CUDA, index);
        throw new ArgumentOutOfRangeException("TrainingDevice", name, "TrainingDevice must be \"cpu\", \"cuda\" or \"cuda:N\".");
    }

    /// <summary>Resolves <paramref name="name"/> on this machine.</summary>
    /// <exception cref="InvalidOperationException">CUDA was asked for, is not available, and <paramref name="fallbackToCpu"/> is false.</exception>
    public static torch.Device Resolve(string name, bool fallbackToCpu, Action<string>? log)
    {
        var (type, index) = Parse(name);
        if (type == DeviceType.CPU)
            return torch.CPU;
        bool available = torch.cuda.is_available() && index < torch.cuda.device_count();
        if (available)
            return new torch.Device(DeviceType.CUDA, index);
        string reason = torch.cuda.is_available()
            ? $"only {torch.cuda.device_count()} CUDA device(s) are present"
            : "CUDA is not available (the CPU-only TorchSharp-cpu package is referenced, or no GPU/driver is present; reference TorchSharp-cuda-linux or TorchSharp-cuda-windows for GPU training)";
        if (!fallbackToCpu)
            throw new InvalidOperationException($"Device \"{name}\" was requested but {reason}. Set FallbackToCpu to train on CPU instead.");
        log?.Invoke($"Device \"{name}\" was requested but {reason}; training on CPU.");
        return torch.CPU;
    }
}
