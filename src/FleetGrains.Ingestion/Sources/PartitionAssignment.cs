namespace FleetGrains.Ingestion.Sources;

/// <summary>
/// A silo's fair share of the partitions: with the active silos in a fixed order, partition p belongs to
/// silo p mod n. Every silo computes the same answer from the same membership, so a change of
/// membership moves only what it has to; leases make sure two views never read one partition together.
/// </summary>
public static class PartitionAssignment
{
    public static IReadOnlySet<int> PartitionsOf(string self, IEnumerable<string> activeSilos, int partitions)
    {
        var silos = activeSilos.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var index = silos.IndexOf(self);
        if (index < 0)
        {
            return new HashSet<int>();
        }

        return Enumerable.Range(0, partitions).Where(p => p % silos.Count == index).ToHashSet();
    }
}
