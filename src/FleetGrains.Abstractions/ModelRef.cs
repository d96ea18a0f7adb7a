namespace FleetGrains.Abstractions;

/// <summary>One version of one model, e.g. <c>smd-machine-1-2-autoencoder</c> version 1.</summary>
[GenerateSerializer, Immutable]
public sealed record ModelRef([property: Id(0)] string Id, [property: Id(1)] int Version)
{
    /// <summary>The key of the model host grain that serves this version: <c>{id}@{version}</c>.</summary>
    public string Key => $"{Id}@{Version}";

    public override string ToString() => Key;

    /// <summary>Whether <paramref name="key"/> is this version's <see cref="Key"/>, without making the key (the hot paths compare it once per call).</summary>
    public bool HasKey(string? key)
    {
        Span<char> version = stackalloc char[11];
        return key is not null
            && key.Length > Id.Length + 1
            && key.StartsWith(Id, StringComparison.Ordinal)
            && key[Id.Length] == '@'
            && Version.TryFormat(version, out var written, provider: System.Globalization.CultureInfo.InvariantCulture)
            && key.AsSpan(Id.Length + 1).SequenceEqual(version[..written]);
    }

    /// <summary>Reads a <see cref="Key"/> back.</summary>
    public static ModelRef Parse(string key)
    {
        var at = key.LastIndexOf('@');
        return at > 0 && int.TryParse(key.AsSpan(at + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version) && version >= 1
            ? new ModelRef(key[..at], version)
            : throw new FormatException($"'{key}' is not a model key of the form {{id}}@{{version}}.");
    }
}
