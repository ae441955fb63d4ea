namespace Autoencoders.ML.Scoring;

/// <summary>The temporary files this library needs (ML.NET's ONNX transformer reads models from files), and the error when the folder cannot take them.</summary>
internal static class TemporaryFiles
{
    /// <summary>Writes <paramref name="bytes"/> to a new file in <paramref name="folder"/> and returns its path; the caller deletes it.</summary>
    /// <exception cref="IOException">The folder cannot be written; the message names it and says how to choose another.</exception>
    public static string Write(string folder, byte[] bytes, string purpose)
    {
        string path = Path.Combine(folder, "autoencoders-ml-" + Path.GetRandomFileName() + ".onnx");
        try
        {
            File.WriteAllBytes(path, bytes);
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unwritable(folder, purpose, e);
        }
    }

    /// <summary>Checks that <paramref name="folder"/> takes a file (ML.NET writes one there when it loads an ONNX transformer).</summary>
    /// <exception cref="IOException">The folder cannot be written.</exception>
    public static void CheckWritable(string folder, string purpose) => File.Delete(Write(folder, [], purpose));

    private static IOException Unwritable(string folder, string purpose, Exception inner) => new(
        $"The temporary folder '{folder}' cannot be written ({inner.Message}), and {purpose} needs it: ML.NET's ONNX transformer " +
        "reads its model from a file there. Point MLContext.TempFilePath (or the TMPDIR environment variable) at a writable folder.", inner);
}
