namespace TokenFunction.Tests.Infrastructure;

/// <summary>Finds files of the repository the tests were built from.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    /// <summary>The build configuration the tests run under (Debug or Release), read from the output path.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(System.IO.Path.DirectorySeparatorChar)).Parent!.Name;

    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "TokenFunction.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No TokenFunction.sln above {AppContext.BaseDirectory}.");
    }
}
