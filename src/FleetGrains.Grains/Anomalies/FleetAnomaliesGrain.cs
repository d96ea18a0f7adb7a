using FleetGrains.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FleetGrains.Grains.Anomalies;

/// <summary>
/// The anomaly log of one fleet: its devices' alarm episodes, each sent when raised and again when it became
/// Critical or ended (replacing the kept record); the most recently raised <see cref="AnomalyLogOptions.MaxEventsPerFleet"/>
/// are kept and written on the silo's write schedule and on deactivation, not per record.
/// </summary>
public sealed class FleetAnomaliesGrain(
    [PersistentState("anomalies", FleetStorage.Name)] IPersistentState<FleetAnomaliesState> state,
    IOptions<AnomalyLogOptions> options,
    StateWriteSchedule writes,
    ILogger<FleetAnomaliesGrain> logger) : Grain, IFleetAnomaliesGrain, IWritesStateWhenDue
{
    private DelayedStateWriter? _writer;

    private DelayedStateWriter Writer => _writer ??= new DelayedStateWriter(
        this, state, options.Value.PersistInterval, writes, logger);

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => await Writer.SaveAndCloseAsync();

    public Task WriteDueStateAsync() => Writer.WriteDueAsync();

    public Task RecordAsync(AnomalyEpisode episode)
    {
        var episodes = state.State.Episodes;
        var kept = episodes.FindLastIndex(e => e.StartSeq == episode.StartSeq && e.DeviceId == episode.DeviceId);
        if (kept >= 0)
        {
            episodes[kept] = episode;
        }
        else
        {
            episodes.Add(episode);
            var excess = episodes.Count - options.Value.MaxEventsPerFleet;
            if (excess > 0)
            {
                episodes.RemoveRange(0, excess);
            }
        }

        Writer.MarkDirty();
        return Task.CompletedTask;
    }

    public Task<AnomalyPage> GetPageAsync(int offset, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var episodes = state.State.Episodes;
        var page = new List<AnomalyEpisode>(Math.Max(0, Math.Min(limit, episodes.Count - offset)));
        for (var i = episodes.Count - 1 - offset; i >= 0 && page.Count < limit; i--)
        {
            page.Add(episodes[i]);
        }

        return Task.FromResult(new AnomalyPage(episodes.Count, offset, page));
    }
}
