namespace FleetGrains.Abstractions;

public static class DeviceGrainExtensions
{
    /// <summary>Applies <paramref name="samples"/> (of one feature count) as one block; see <see cref="IDeviceGrain.IngestAsync"/>.</summary>
    public static ValueTask<IngestOutcome> IngestAsync(this IDeviceGrain device, TelemetrySample[] samples) =>
        device.IngestAsync(TelemetryBlock.Of(samples));
}
