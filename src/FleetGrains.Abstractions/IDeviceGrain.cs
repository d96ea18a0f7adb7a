namespace FleetGrains.Abstractions;

/// <summary>The live twin of one physical device, keyed <c>{fleetId}/{deviceId}</c>.</summary>
[Alias("FleetGrains.IDeviceGrain")]
public interface IDeviceGrain : IGrainWithStringKey
{
    /// <summary>
    /// Applies one block of samples in sequence order. Samples whose sequence number is not above the
    /// last accepted one are ignored and counted as duplicates; samples that do not fit the device are
    /// rejected with a reason, by their index in <paramref name="block"/>. A block whose columns do not fit
    /// together (<see cref="TelemetryBlock.Problem"/>) is refused with an <see cref="ArgumentException"/>.
    /// </summary>
    /// <remarks>A <see cref="ValueTask{TResult}"/> (await it once): Orleans answers a caller from a pooled source, without a task per call.</remarks>
    [Alias("IngestBlock")]
    ValueTask<IngestOutcome> IngestAsync(TelemetryBlock block);

    /// <summary>The device's state, or null when it has never accepted a sample.</summary>
    [Alias("GetSnapshot")]
    Task<DeviceSnapshot?> GetSnapshotAsync();

    /// <summary>The rolling window, or null when the device has never accepted a sample.</summary>
    [Alias("GetWindow")]
    Task<TelemetryWindow?> GetWindowAsync();

    /// <summary>The device's recent scorings of samples after <paramref name="afterSeq"/>, oldest first; null when it has never accepted a sample.</summary>
    [Alias("GetScores")]
    Task<DeviceScoreHistory?> GetScoresAsync(long afterSeq);

    /// <summary>Pins the threshold to <paramref name="threshold"/>, or returns to the learned one when null.</summary>
    [Alias("PinThreshold")]
    Task<DeviceSnapshot?> PinThresholdAsync(float? threshold);

    /// <summary>Operator feedback on the latest alarm; null when the device has never accepted a sample.</summary>
    [Alias("Feedback")]
    Task<FeedbackOutcome?> FeedbackAsync(ThresholdFeedback feedback);

    /// <summary>Maintenance was done: forget the remaining-useful-life estimate and start tracking afresh.</summary>
    [Alias("ResetDegradation")]
    Task ResetDegradationAsync();
}
