using System.Diagnostics.Metrics;
using System.Reflection;
using System.Text;
using FleetGrains.Abstractions;
using FleetGrains.Grains.Devices;
using FleetGrains.Ingestion.DeadLetters;
using FleetGrains.Ingestion.Sources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FleetGrains.Ingestion.Tests;

/// <summary>The shared source batch handling when a device keeps failing: retried, then dead-lettered on the last attempt.</summary>
public class SourceBatchProcessorTests
{
    private static readonly byte[] ValidEvent = Encoding.UTF8.GetBytes(
        $$"""[{"fleetId":"f","deviceId":"d","ts":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}},"seq":1,"values":[1]}]""");

    private readonly MemoryDeadLetterStore _deadLetters;
    private readonly SourceCounters _counters;
    private readonly SourceBatchProcessor _processor;

    public SourceBatchProcessorTests()
    {
        var sources = Options.Create(new SourcesOptions());
        var metrics = new IngestionMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());
        var validator = new TelemetryValidator(Options.Create(new IngestionOptions()), Options.Create(new DeviceOptions()));
        var pipeline = new TelemetryPipeline(DispatchProxy.Create<IGrainFactory, FailingDevices>(), validator, Options.Create(new IngestionOptions()), metrics, TimeProvider.System, NullLogger<TelemetryPipeline>.Instance);
        _deadLetters = new MemoryDeadLetterStore(sources);
        _counters = new SourceCounters(new SourceRedis(sources), sources);
        _processor = new SourceBatchProcessor(pipeline, _deadLetters, _counters, metrics, TimeProvider.System);
    }

    [Fact]
    public async Task ADeviceThatFails_IsRetried_NotDeadLettered_BeforeTheLastAttempt()
    {
        var done = await _processor.ProcessAsync("test", [new SourceMessage("s/1-0", ValidEvent)], lastAttempt: false, attempt: 3);

        Assert.False(done[0]);
        Assert.Empty(await _deadLetters.ReadAsync(10, null));
        Assert.Equal(1, _counters.ReadThisSilo().Single().Retried);
    }

    [Fact]
    public async Task ADeviceThatKeepsFailing_IsDeadLetteredOnTheLastAttempt_AndTheMessageIsDone()
    {
        var done = await _processor.ProcessAsync("test", [new SourceMessage("s/1-0", ValidEvent)], lastAttempt: true, attempt: 20);

        Assert.True(done[0]);
        var letter = Assert.Single(await _deadLetters.ReadAsync(10, "test"));
        Assert.Equal("s/1-0#0", letter.Position);
        Assert.Contains("gave up after 20 attempts", letter.Reason);
        Assert.Contains("TimeoutException", letter.Reason);
        Assert.Equal(1, _counters.ReadThisSilo().Single().DeadLettered);
    }

    /// <summary>A grain factory whose device grains always fail their calls.</summary>
    public class FailingDevices : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod!.ReturnType == typeof(IDeviceGrain)
                ? DispatchProxy.Create<IDeviceGrain, UnreachableDevice>()
                : throw new NotSupportedException(targetMethod.Name);
    }

    public class UnreachableDevice : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            Task.FromException<IngestOutcome>(new TimeoutException("device unreachable"));
    }
}
