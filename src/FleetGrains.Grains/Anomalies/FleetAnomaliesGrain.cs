using FleetGrains.Abstractions;
using FleetGrains.Grains.Webhooks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FleetGrains.Grains.Anomalies;

/// <summary>
/// The anomaly log of one fleet: its devices' alarm episodes, each sent when raised and again when it became
/// Critical or ended (replacing the kept record); the most recently raised <see cref="AnomalyLogOptions.MaxEventsPerFleet"/>
/// are kept and written on the silo's write schedule and on deactivation, not per record. Operators acknowledge and
/// clear episodes here; a device's later record of the same episode keeps what they did, and their actions are
/// written at once. A new episode, an acknowledgement and a clearing are told to the fleet's webhooks (one-way).
/// </summary>
public sealed class FleetAnomaliesGrain(
    [PersistentState("anomalies", FleetStorage.Name)] IPersistentState<FleetAnomaliesState> state,
    IOptions<AnomalyLogOptions> options,
    StateWriteSchedule writes,
    TimeProvider time,
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
            episodes[kept] = episode with { Acknowledged = episodes[kept].Acknowledged, Cleared = episodes[kept].Cleared };
        }
        else
        {
            episodes.Add(episode);
            Notify(WebhookEvent.AnomalyRaised, episode);
            var excess = episodes.Count - options.Value.MaxEventsPerFleet;
            if (excess > 0)
            {
                episodes.RemoveRange(0, excess);
            }
        }

        Writer.MarkDirty();
        return Task.CompletedTask;
    }

    public Task<AnomalyPage> QueryAsync(AnomalyQuery query)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        var episodes = state.State.Episodes;
        var page = new List<AnomalyEpisode>();
        var byStatus = Enum.GetValues<AlarmStatus>().ToDictionary(s => s, _ => 0);
        var bySeverity = new Dictionary<HealthState, int> { [HealthState.Warning] = 0, [HealthState.Critical] = 0 };
        var matching = 0;
        for (var i = episodes.Count - 1; i >= 0; i--)
        {
            var episode = episodes[i];
            byStatus[episode.Status]++;
            bySeverity[episode.Severity] = bySeverity.GetValueOrDefault(episode.Severity) + 1;
            if (query.Matches(episode) && matching++ >= query.Offset && page.Count < query.Limit)
            {
                page.Add(episode);
            }
        }

        return Task.FromResult(new AnomalyPage(matching, query.Offset, page, byStatus, bySeverity));
    }

    public Task<AlarmActionOutcome> AcknowledgeAsync(string deviceId, long startSeq, AlarmAction action) =>
        ActAsync(deviceId, startSeq, WebhookEvent.AnomalyAcknowledged, e => e.Acknowledged is null && e.Cleared is null, e => e with { Acknowledged = action });

    public Task<AlarmActionOutcome> ClearAsync(string deviceId, long startSeq, AlarmAction action) =>
        ActAsync(deviceId, startSeq, WebhookEvent.AnomalyCleared, e => e.Cleared is null, e => e with { Cleared = action });

    private void Notify(WebhookEvent kind, AnomalyEpisode episode) =>
        GrainFactory.GetGrain<IFleetWebhooksGrain>(this.GetPrimaryKeyString()).NotifyAsync(WebhookNotifications.Anomaly(this.GetPrimaryKeyString(), kind, episode, time.GetUtcNow())).Ignore();

    private async Task<AlarmActionOutcome> ActAsync(
        string deviceId, long startSeq, WebhookEvent kind, Func<AnomalyEpisode, bool> allowed, Func<AnomalyEpisode, AnomalyEpisode> apply)
    {
        var episodes = state.State.Episodes;
        var kept = episodes.FindLastIndex(e => e.StartSeq == startSeq && e.DeviceId == deviceId);
        if (kept < 0)
        {
            return AlarmActionOutcome.Refused(AlarmActionRefusal.Unknown);
        }

        if (!allowed(episodes[kept]))
        {
            return AlarmActionOutcome.Refused(AlarmActionRefusal.AlreadyDone, episodes[kept]);
        }

        episodes[kept] = apply(episodes[kept]);
        Writer.MarkDirty();
        await Writer.SaveAsync(); // an operator's action is kept at once, not on the write schedule
        Notify(kind, episodes[kept]);
        return AlarmActionOutcome.Done(episodes[kept]);
    }
}
