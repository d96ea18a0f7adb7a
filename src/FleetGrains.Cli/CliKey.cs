namespace FleetGrains.Cli;

/// <summary>
/// The API key fleetctl sends (header <c>X-Api-Key</c>): <c>--key</c>, else <c>$FLEETCTL_KEY</c>, else the file
/// <c>$FLEETCTL_KEY_FILE</c> or <c>~/.config/fleetctl/key</c>, which, like an SSH key, must be readable by its owner only.
/// </summary>
public static class CliKey
{
    public const string Header = "X-Api-Key";
    public const string KeyVariable = "FLEETCTL_KEY";
    public const string FileVariable = "FLEETCTL_KEY_FILE";

    public static string DefaultFile => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config", "fleetctl", "key");

    /// <summary>The key, or null when none is given anywhere; throws <see cref="ArgumentException"/> for an unsafe or unreadable file.</summary>
    /// <param name="environment">Reads an environment variable (the process's by default).</param>
    public static string? Resolve(CommandLine line, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (line.Option("key") is { } key)
        {
            return key.Trim();
        }

        if (environment(KeyVariable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment.Trim();
        }

        var file = environment(FileVariable) is { Length: > 0 } named ? named : DefaultFile;
        if (!File.Exists(file))
        {
            return null;
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
        {
            throw new ArgumentException($"{file} can be read or written by others than its owner; 'chmod 600 {file}' first.");
        }

        var text = File.ReadAllText(file).Trim();
        return text.Length > 0 ? text : throw new ArgumentException($"{file} is empty.");
    }
}
