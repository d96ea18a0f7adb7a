using FleetGrains.Abstractions;
using FleetGrains.Grains.Fleets;
using FleetGrains.Grains.Maintenance;
using FleetGrains.Grains.Models;
using FleetGrains.Grains.Scoring;
using Microsoft.Extensions.Logging;

namespace FleetGrains.Grains.Devices;

/// <summary>
/// The grain of one device. It applies telemetry to its <see cref="DeviceTwin"/>, has the windows due for
/// scoring scored by its fleet's models (through the silo's batcher, in process) or by the statistical scorer,
/// records moves to Warning or Critical in the fleet's anomaly log, writes the twin to storage on the silo's write schedule
/// when it changed (never per event), on deactivation and, with WriteBeforeAcknowledge, before answering an ingest; and reports status changes to its fleet shard,
/// at most once per report interval.
/// </summary>
public sealed partial class DeviceGrain(DeviceGrainServices services) : Grain, IDeviceGrain, IWritesStateWhenDue, IGrainMigrationParticipant
{
    private string _fleetId = "";
    private string _deviceId = "";
    private int _shard;
    private DirectGrainState<DeviceState>? _state;
    private DelayedStateWriter? _writer;
    private DeviceStatus? _lastReported; // the shard keeps the same object
    private DateTimeOffset _lastReportAt = DateTimeOffset.MinValue; // when the newest report is (or was) due
    private long _reportSlot = StatusReportSchedule.NotScheduled;
    private bool _scoringFailing;
    private bool _reportingRul;
    private DateTimeOffset _lastRulReportAt = DateTimeOffset.MinValue;
    private IGrainTimer? _rulReportTimer;
    private string? _featureMismatch;

    private DeviceOptions Options => services.Options;

    private DirectGrainState<DeviceState> Stored => _state ??= new(this, "device", services.Storage);

    private DeviceTwin? Twin
    {
        get => Stored.State.Twin;
        set => Stored.State.Twin = value;
    }

    private DelayedStateWriter Writer => _writer ??= new DelayedStateWriter(
        this, Stored, Options.PersistInterval, services.Writes, services.Logger);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!Stored.IsLoaded)
        {
            await Stored.ReadStateAsync();
        }

        (var fleetId, _deviceId) = FleetKeys.ParseDevice(this.GetPrimaryKeyString());
        _fleetId = string.Intern(fleetId); // one string per fleet, not per device
        _shard = FleetKeys.ShardOf(_deviceId, services.Rollup.ShardsPerFleet);
        if (Twin is { } twin && twin.ResizeWindow(Options.WindowSizeFor(_fleetId)))
        {
            MarkDirty();
        }
    }

    void IGrainMigrationParticipant.OnDehydrate(IDehydrationContext dehydrationContext) => Stored.Dehydrate(dehydrationContext);

    void IGrainMigrationParticipant.OnRehydrate(IRehydrationContext rehydrationContext) => _ = Stored.TryRehydrate(rehydrationContext); // none brought: read in OnActivateAsync

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A report still waiting goes now: the silo may be on its way out, and its schedule with it.
        var shardKey = services.Reports.ShardKey(_fleetId, _shard);
        if (services.Reports.Take(_reportSlot, shardKey, _deviceId) is { } waiting && !ClusterIsStopping())
        {
            GrainFactory.GetGrain<IFleetShardGrain>(shardKey).ReportAsync([waiting]).Ignore();
        }

        await Writer.SaveAndCloseAsync();
    }

    public Task WriteDueStateAsync() => Writer.WriteDueAsync();

    public async ValueTask<IngestOutcome> IngestAsync(TelemetryBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.Problem is { } problem)
        {
            throw new ArgumentException($"The block sent to {_fleetId}/{_deviceId} was refused: {problem}.", nameof(block));
        }

        if (block.Count == 0)
        {
            return new IngestOutcome(0, 0, []);
        }

        var twin = Twin ??= CreateTwin(block);
        var assignment = await services.Models.GetAsync(_fleetId);
        var (anomalyModel, rulModel) = UsableModels(twin, assignment);
        var capture = PrepareScoring(twin, anomalyModel, rulModel, block.Count);

        var now = services.Time.GetUtcNow();
        var wasOffline = twin.HealthAt(now, Options) == HealthState.Offline;
        var transitions = new List<HealthTransition>();
        var outcome = twin.Ingest(block, now, Options, anomalyModel is null ? services.Scorer : null, capture, transitions);
        if (capture is { Rows: > 0 })
        {
            // The batcher's answers are awaited here rather than in a method of their own: a state machine, task and
            // continuation fewer per call (~35 bytes an event in the binary ingest run).
            var anomalyTask = anomalyModel is null ? null : services.Batcher.ScoreAsync(anomalyModel.Model, capture.RequestFor(anomalyModel.Window));
            var rulTask = rulModel is null ? null : services.Batcher.ScoreAsync(rulModel.Model, capture.RequestFor(rulModel.Window));
            var answered = true;
            if (anomalyTask is not null)
            {
                try
                {
                    ApplyAnomalyScores(twin, await anomalyTask, capture, Options, transitions);
                }
                catch (Exception ex)
                {
                    answered = false;
                    RecordScoringFailure(twin, anomalyModel!.Model, capture.Rows, ex, now);
                }
            }

            if (rulTask is not null)
            {
                try
                {
                    ApplyRulEstimates(twin, await rulTask, capture, now, Options);
                }
                catch (Exception ex)
                {
                    answered = false;
                    RecordScoringFailure(twin, rulModel!.Model, capture.Rows, ex, now);
                }
            }

            FinishScoring(capture, answered);
        }

        RecordAnomalies(twin, transitions);
        ConsiderRulReport(twin, now, healthChanged: transitions.Count > 0);
        if (outcome.Accepted > 0)
        {
            MarkDirty();
            ConsiderReport(force: transitions.Count > 0 || wasOffline);
        }

        // Also when every sample was a duplicate: a redelivery after a failed write must not be acknowledged
        // before the samples it repeats are stored.
        if (Options.WriteBeforeAcknowledge && !await Writer.SaveAsync())
        {
            throw new DeviceStateNotSavedException($"Writing the state of {_fleetId}/{_deviceId} failed; its samples are not acknowledged (sending them again is safe).");
        }

        return outcome;
    }

    public Task<DeviceSnapshot?> GetSnapshotAsync() =>
        Task.FromResult(Twin?.ToSnapshot(_fleetId, _deviceId, services.Time.GetUtcNow(), Options));

    public Task<TelemetryWindow?> GetWindowAsync() =>
        Task.FromResult(Twin?.ToWindow(_fleetId, _deviceId));

    public Task<DeviceScoreHistory?> GetScoresAsync(long afterSeq) =>
        Task.FromResult(Twin?.ToScoreHistory(_fleetId, _deviceId, afterSeq, Options));

    public Task<DeviceSnapshot?> PinThresholdAsync(float? threshold)
    {
        if (Twin is not { } twin)
        {
            return Task.FromResult<DeviceSnapshot?>(null);
        }

        twin.PinThreshold(threshold);
        LogThresholdPinned(services.Logger, _fleetId, _deviceId, threshold);
        MarkDirty();
        ConsiderReport(force: true);
        return GetSnapshotAsync();
    }

    public Task<FeedbackOutcome?> FeedbackAsync(ThresholdFeedback feedback)
    {
        if (Twin is not { } twin)
        {
            return Task.FromResult<FeedbackOutcome?>(null);
        }

        var raised = feedback switch
        {
            ThresholdFeedback.FalsePositive => twin.RaiseThresholdAfterFalsePositive(Options),
            _ => throw new ArgumentOutOfRangeException(nameof(feedback), feedback, "Unknown feedback."),
        };
        string? refusal = null;
        if (raised is not { } change)
        {
            refusal = "The device has not learned its threshold yet (it is still calibrating); feedback adjusts a learned threshold.";
        }
        else if (change.After <= change.Before)
        {
            refusal = $"The learned threshold is at its bound ({Options.MaxFalsePositiveRaise} × the calibrated one); pin a threshold to go higher.";
        }
        else
        {
            LogFalsePositive(services.Logger, _fleetId, _deviceId, change.Before, change.After, twin.Score);
            MarkDirty();
            ConsiderReport(force: true);
        }

        var snapshot = twin.ToSnapshot(_fleetId, _deviceId, services.Time.GetUtcNow(), Options);
        return Task.FromResult<FeedbackOutcome?>(new FeedbackOutcome(snapshot, raised?.Before, raised?.After, refusal));
    }

    public Task ResetDegradationAsync()
    {
        if (Twin is { } twin)
        {
            twin.ResetDegradation();
            _reportingRul = false;
            MarkDirty();
        }

        return Task.CompletedTask;
    }

    // A model whose feature count differs from the device's cannot read its samples: such a device keeps
    // the statistical scorer (and says why once per activation) rather than failing every scoring.
    private (ModelDescription? Anomaly, ModelDescription? Rul) UsableModels(DeviceTwin twin, FleetModelAssignment assignment)
    {
        ModelDescription? Fit(ModelDescription? model)
        {
            if (model is null || model.Features == twin.FeatureCount)
            {
                return model;
            }

            var mismatch = $"Model {model.Model} reads {model.Features} features; this device sends {twin.FeatureCount}.";
            if (_featureMismatch != mismatch)
            {
                _featureMismatch = mismatch;
                twin.RecordScoringFailure(mismatch, services.Time.GetUtcNow());
                LogFeatureMismatch(services.Logger, _fleetId, _deviceId, mismatch);
            }

            return null;
        }

        return (Fit(assignment.Anomaly), Fit(assignment.Rul));
    }

    /// <summary>Switches the scorer when the fleet's anomaly model changed, and keeps the window as long as the models read.</summary>
    private WindowCapture? PrepareScoring(DeviceTwin twin, ModelDescription? anomaly, ModelDescription? rul, int samples)
    {
        var previous = twin.Scorer;
        if (twin.SwitchScorer(anomaly?.Model))
        {
            LogScorerSwitched(services.Logger, _fleetId, _deviceId, previous, twin.Scorer);
            MarkDirty();
        }

        var window = Math.Max(anomaly?.Window ?? 0, rul?.Window ?? 0);
        if (twin.RequireModelWindow(window, Options.WindowSizeFor(_fleetId)))
        {
            MarkDirty();
        }

        return window == 0 ? null : new WindowCapture(window, twin.FeatureCount, expectedRows: samples);
    }

    private static void ApplyAnomalyScores(DeviceTwin twin, ScoringResult scores, WindowCapture capture, DeviceOptions options, List<HealthTransition> transitions)
    {
        try
        {
            twin.ApplyModelScores(scores, capture, options, transitions);
        }
        finally
        {
            scores.Release(); // nothing keeps a reference into the rows after this
        }
    }

    private static void ApplyRulEstimates(DeviceTwin twin, ScoringResult estimates, WindowCapture capture, DateTimeOffset now, DeviceOptions options)
    {
        try
        {
            twin.ApplyRul(estimates, capture, now, options);
        }
        finally
        {
            estimates.Release();
        }
    }

    // When every scoring was answered nothing reads the capture any more; a request given up on (timed out) may still
    // be read by a model host on this silo, so its memory is left to the collector.
    private void FinishScoring(WindowCapture capture, bool answered)
    {
        if (!answered)
        {
            capture.Abandon();
            return;
        }

        capture.Dispose();
        if (_scoringFailing)
        {
            _scoringFailing = false;
            LogScoringRecovered(services.Logger, _fleetId, _deviceId);
        }
    }

    private void RecordScoringFailure(DeviceTwin twin, ModelRef model, int rows, Exception ex, DateTimeOffset now)
    {
        twin.RecordScoringFailure($"{model}: {ex.Message}", now);
        if (!_scoringFailing)
        {
            _scoringFailing = true;
            LogScoringFailed(services.Logger, ex, _fleetId, _deviceId, model.Key, rows);
        }
    }

    private void RecordAnomalies(DeviceTwin twin, List<HealthTransition> transitions)
    {
        foreach (var transition in transitions)
        {
            if (twin.EpisodeRecord(transition, _deviceId) is { } episode)
            {
                GrainFactory.GetGrain<IFleetAnomaliesGrain>(_fleetId).RecordAsync(episode).Ignore();
            }
        }
    }

    // A device reports to its fleet's plan once its RUL is within the planning horizon, and from then on
    // (so that its work order follows the predictions) until maintenance resets it: at most once per
    // report interval (the newest estimate follows when the interval is over), at once when its health changed.
    private void ConsiderRulReport(DeviceTwin twin, DateTimeOffset now, bool healthChanged)
    {
        if (twin.Rul is not { } rul)
        {
            return;
        }

        var o = services.Maintenance;
        _reportingRul |= rul <= o.PlanningHorizonFor(_fleetId);
        if (!_reportingRul)
        {
            return;
        }

        var nextAllowed = _lastRulReportAt + o.ReportInterval;
        if (healthChanged || now >= nextAllowed)
        {
            SendRulReport(twin, now);
        }
        else
        {
            _rulReportTimer ??= this.RegisterGrainTimer(
                _ =>
                {
                    _rulReportTimer?.Dispose();
                    _rulReportTimer = null;
                    if (_reportingRul && Twin is { Rul: not null } current)
                    {
                        SendRulReport(current, services.Time.GetUtcNow());
                    }

                    return Task.CompletedTask;
                },
                new GrainTimerCreationOptions { DueTime = nextAllowed - now, Period = Timeout.InfiniteTimeSpan });
        }
    }

    private void SendRulReport(DeviceTwin twin, DateTimeOffset now)
    {
        _lastRulReportAt = now;
        if (!ClusterIsStopping())
        {
            var report = new RulReport(_deviceId, twin.Rul!.Value, twin.HealthAt(now, Options), twin.RulModel!, now);
            GrainFactory.GetGrain<IFleetMaintenanceGrain>(_fleetId).ReportAsync(report).Ignore();
        }
    }

    private DeviceTwin CreateTwin(TelemetryBlock block)
    {
        var featureCount = Options.FeatureCountFor(_fleetId) ?? block.Features;
        return new DeviceTwin(Options.WindowSizeFor(_fleetId), featureCount);
    }

    // A newsworthy status is reported at once, or when the device's report interval since its last report is over;
    // until then each newer status replaces the waiting one, so that the shard gets the newest.
    private void ConsiderReport(bool force)
    {
        var now = services.Time.GetUtcNow();
        var figures = Twin!.StatusAt(now, Options);
        var waiting = _lastReportAt > now;
        if (!waiting && !force && !IsNewsworthy(figures, now))
        {
            return;
        }

        if (!waiting)
        {
            var nextAllowed = _lastReportAt + Options.ReportInterval;
            _lastReportAt = nextAllowed > now ? nextAllowed : now;
        }

        _lastReported = figures.ToStatus(_deviceId);
        _reportSlot = services.Reports.Schedule(services.Reports.ShardKey(_fleetId, _shard), _lastReported, _lastReportAt);
    }

    private bool IsNewsworthy(StatusFigures status, DateTimeOffset now)
    {
        if (_lastReported is not { } last)
        {
            return true;
        }

        // Re-report halfway to the deadline the shard knows, so a live device never looks Offline;
        // and at once when the deadline moved earlier (the device reports more often than assumed).
        var heartbeatDue = last.LastSeen + ((last.OfflineAfter - last.LastSeen) / 2);
        return status.Health != last.Health
            || status.Threshold != last.Threshold
            || Math.Abs((status.Severity ?? 0) - (last.Severity ?? 0)) >= Options.SeverityReportStep
            || status.OfflineAfter < last.OfflineAfter
            || now >= heartbeatDue;
    }

    private void MarkDirty() => Writer.MarkDirty();

    // No silo is active when the last one stops (this silo included): the fleet grains stop with it, so a
    // report would have nowhere to go.
    private bool ClusterIsStopping() => !services.Membership.CurrentSnapshot.Members.Values.Any(m => m.Status == SiloStatus.Active);

    [LoggerMessage(Level = LogLevel.Information, Message = "Threshold of {FleetId}/{DeviceId} pinned to {Threshold} (null = learned)")]
    private static partial void LogThresholdPinned(ILogger logger, string fleetId, string deviceId, float? threshold);

    [LoggerMessage(Level = LogLevel.Information, Message = "False-positive feedback raised the learned threshold of {FleetId}/{DeviceId} from {Before} to {After} (latest score {Score})")]
    private static partial void LogFalsePositive(ILogger logger, string fleetId, string deviceId, float before, float after, float? score);

    [LoggerMessage(Level = LogLevel.Information, Message = "{FleetId}/{DeviceId} is now scored by {Scorer} instead of {Previous}: its threshold is learned afresh")]
    private static partial void LogScorerSwitched(ILogger logger, string fleetId, string deviceId, string previous, string scorer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{FleetId}/{DeviceId} cannot use its fleet's model: {Mismatch}")]
    private static partial void LogFeatureMismatch(ILogger logger, string fleetId, string deviceId, string mismatch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scoring {Rows} window(s) of {FleetId}/{DeviceId} with {Model} failed; the samples are kept, their scores are missing (logged again only after a success)")]
    private static partial void LogScoringFailed(ILogger logger, Exception exception, string fleetId, string deviceId, string model, int rows);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scoring of {FleetId}/{DeviceId} works again")]
    private static partial void LogScoringRecovered(ILogger logger, string fleetId, string deviceId);
}
