namespace Autoencoders.Benchmarks.Support;

/// <summary>Where the repository is, for commands that run its scripts or build its projects.</summary>
internal static class Repository
{
    /// <summary>The folder holding Autoencoders.ML.sln above the program, or the working directory.</summary>
    public static string Root
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
                if (File.Exists(Path.Combine(directory.FullName, "Autoencoders.ML.sln")))
                    return directory.FullName;
            return Directory.GetCurrentDirectory();
        }
    }
}
