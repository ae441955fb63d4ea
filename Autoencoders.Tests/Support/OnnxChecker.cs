using System.Diagnostics;

namespace Autoencoders.Tests.Support;

/// <summary>Runs the official ONNX checker (Debian's python3-onnx, at /usr/bin/python3) with full_check on a model file.</summary>
internal static class OnnxChecker
{
    public const string Python = "/usr/bin/python3";

    /// <summary>Returns the checker's output; fails the test when the checker rejects the model or cannot run.</summary>
    public static string Check(string modelPath)
    {
        var start = new ProcessStartInfo(Python)
        {
            ArgumentList = { "-c", "import sys, onnx; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print('ok', m.ir_version, m.opset_import[0].version)", modelPath },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new AssertFailedException($"Could not start {Python}.");
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new AssertFailedException($"The ONNX checker rejected {modelPath} (is python3-onnx installed? run .ci/setup):\n{error}");
        return output.Trim();
    }

    /// <summary>Writes <paramref name="model"/> to a temporary file and asserts the checker accepts it as IR 8, opset 17.</summary>
    public static void AssertAccepts(byte[] model, string? what = null)
    {
        string path = Path.Combine(Path.GetTempPath(), $"checked-{Guid.NewGuid():N}.onnx");
        try
        {
            File.WriteAllBytes(path, model);
            Assert.AreEqual("ok 8 17", Check(path), what);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
