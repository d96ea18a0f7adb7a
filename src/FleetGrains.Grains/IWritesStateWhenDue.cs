using Orleans.Concurrency;

namespace FleetGrains.Grains;

/// <summary>A grain whose state a <see cref="DelayedStateWriter"/> writes: <see cref="StateWriteSchedule"/> calls it when a write is due.</summary>
public interface IWritesStateWhenDue : IGrain
{
    /// <summary>The delay since the grain's first unsaved change is over: it writes its state now.</summary>
    [OneWay]
    Task WriteDueStateAsync();
}
