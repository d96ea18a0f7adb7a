namespace FleetGrains.Silo.Security;

/// <summary>
/// The key with <c>admin:*</c> that exists before any other: the configured <see cref="SecurityOptions.AdminKey"/>,
/// or, in the embedded default without one, a key made for this run (<see cref="Generated"/>, printed once).
/// </summary>
public sealed class AdminKey
{
    private readonly byte[] _hash;

    public AdminKey(string? configured)
    {
        var key = configured ?? ApiKeyFormat.Generate().Key;
        Generated = configured is null ? key : null;
        _hash = ApiKeyFormat.Hash(key);
    }

    /// <summary>The key made for this run, when none was configured; null otherwise.</summary>
    public string? Generated { get; }

    public bool Matches(string presented) => ApiKeyFormat.Matches(_hash, presented);
}
