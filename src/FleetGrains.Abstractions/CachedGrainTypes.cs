namespace FleetGrains.Abstractions;

/// <summary>
/// Grain references of the hot paths without Orleans working out the grain's types for each one:
/// <c>IGrainFactory.GetGrain&lt;T&gt;(key)</c> resolves the interface's grain interface type on every call by
/// formatting its type name (a StringBuilder, strings and type-name objects per reference — measured in a heap
/// dump and a CPU profile of the silo: 6–8 % of the device activations' CPU). The first reference of each
/// interface is made the usual way; the rest reuse its grain type and interface type, which depend on the
/// interface alone (so one cache serves every silo and client in the process).
/// </summary>
public static class CachedGrainTypes
{
    /// <summary>The reference to the grain of <typeparamref name="TGrain"/> with <paramref name="key"/>; the same as GetGrain&lt;TGrain&gt;(key).</summary>
    public static TGrain GetGrainFast<TGrain>(this IGrainFactory grains, string key)
        where TGrain : IGrainWithStringKey
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        return Types<TGrain>.Resolved is { } types
            ? (TGrain)grains.GetGrain(GrainId.Create(types.Grain, key), types.Interface)
            : Types<TGrain>.Remember(grains.GetGrain<TGrain>(key));
    }

    /// <summary>The reference to the grain of <typeparamref name="TGrain"/> with <paramref name="key"/>; the same as GetGrain&lt;TGrain&gt;(key).</summary>
    public static TGrain GetGrainFast<TGrain>(this IGrainFactory grains, long key)
        where TGrain : IGrainWithIntegerKey
    {
        return Types<TGrain>.Resolved is { } types
            ? (TGrain)grains.GetGrain(GrainId.Create(types.Grain, GrainIdKeyExtensions.CreateIntegerKey(key)), types.Interface)
            : Types<TGrain>.Remember(grains.GetGrain<TGrain>(key));
    }

    private static class Types<TGrain>
    {
        public static (GrainType Grain, GrainInterfaceType Interface)? Resolved;

        public static TGrain Remember(TGrain reference)
        {
            // Only Orleans' own references are remembered (not a test double's), and never a "sys." type: that is
            // no resolved implementation (e.g. a client's stub before it knows the cluster's types).
            if (reference is GrainReference grainReference && !grainReference.GrainId.Type.ToString()!.StartsWith("sys.", StringComparison.Ordinal))
            {
                Resolved = (grainReference.GrainId.Type, grainReference.InterfaceType);
            }

            return reference;
        }
    }
}
