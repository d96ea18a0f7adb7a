using System.Diagnostics.Metrics;
using System.Reflection;
using System.Text;
using FleetGrains.Abstractions;
using FleetGrains.Grains.Devices;
using FleetGrains.Ingestion.Binary;
using FleetGrains.Ingestion.DeadLetters;
using FleetGrains.Ingestion.Tests.Fuzz;
using FleetGrains.Ingestion.Sources;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FleetGrains.Ingestion.Tests;

/// <summary>The shared source batch handling when a device keeps failing: retried, then dead-lettered on the last attempt.</summary>
public class SourceBatchProcessorTests
{
    private static readonly byte[] ValidEvent = Encoding.UTF8.GetBytes(
        $$"""[{"fleetId":"f","deviceId":"d","ts":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}},"seq":1,"values":[1]}]""");

    private readonly MemoryDeadLetterStore _deadLetters = new(Options.Create(new SourcesOptions()));
    private readonly SourceCounters _counters = new(new SourceRedis(Options.Create(new SourcesOptions()), Options.Create(new RedisSecurityOptions())), Options.Create(new SourcesOptions()));
    private readonly SourceBatchProcessor _processor;

    public SourceBatchProcessorTests() => _processor = Processor(DispatchProxy.Create<IGrainFactory, FailingDevices>(), _deadLetters);

    /// <summary>The metrics of the processor made last.</summary>
    private IngestionMetrics _metrics = null!;

    private SourceBatchProcessor Processor(IGrainFactory grains, IDeadLetterStore deadLetters, int maxBodyBytes = 64 * 1024)
    {
        var metrics = _metrics = new IngestionMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());
        var ingestion = Options.Create(new IngestionOptions { MaxBodyBytes = maxBodyBytes });
        var validator = new TelemetryValidator(ingestion, Options.Create(new DeviceOptions()));
        var pipeline = new TelemetryPipeline(grains, validator, new IngestionAdmission(ingestion, metrics), ingestion, metrics, TimeProvider.System, NullLogger<TelemetryPipeline>.Instance);
        return new SourceBatchProcessor(pipeline, deadLetters, _counters, metrics, ingestion, TimeProvider.System, NullLogger<SourceBatchProcessor>.Instance);
    }

    private static SourceMessage Message(string position, string payload) => new(position, Encoding.UTF8.GetBytes(payload));

    private static SourceMessage Message(string position, byte[] payload) => new(position, payload);

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

    [Fact]
    public async Task PoisonMessages_AreDeadLetteredAtOnce_WithReasonAndPosition_AndEveryValidEventIsApplied()
    {
        var devices = new AcceptingDevices.Log();
        var processor = Processor(AcceptingDevices.Create(devices), _deadLetters);
        var now = HostileTelemetry.Now;
        List<SourceMessage> messages =
        [
            Message("s/1-0", [.. "{\"fleetId\":\"f\",\"deviceId\":\"a"u8, 0xC3, .. Encoding.UTF8.GetBytes($"\",\"ts\":{now},\"seq\":1,\"values\":[1]}}")]),
            Message("s/2-0", $$"""{"fleetId":"f","deviceId":"\ud800","ts":{{now}},"seq":1,"values":[1]}"""),
            Message("s/3-0", """{"fleetId":"f","deviceId":"d","ts":9223372036854775807,"seq":1,"values":[1]}"""),
            Message("s/4-0", $$"""{"fleetId":"f","deviceId":"d","ts":{{now}},"seq":9223372036854775807,"values":[1]}"""),
            Message("s/5-0", new string('x', 70_000)),
            Message("s/6-0", string.Join('\n', Enumerable.Range(1, 100).Select(seq => HostileTelemetry.ValidEvent("f", "d", seq, now)))),
            Message("s/7-0", HostileTelemetry.ValidEvent("f", "e", 1, now)),
        ];

        var done = await processor.ProcessAsync("test", messages, lastAttempt: false);

        Assert.All(done, Assert.True);
        Assert.Equal(100, devices.Accepted("f/d"));
        Assert.Equal(1, devices.Accepted("f/e"));
        var letters = (await _deadLetters.ReadAsync(10, "test")).OrderBy(l => l.Position, StringComparer.Ordinal).ToList();
        Assert.Equal(["s/1-0#0", "s/2-0#0", "s/3-0#0", "s/4-0#0", "s/5-0"], letters.Select(l => l.Position));
        Assert.Contains("deviceId is not valid text", letters[0].Reason);
        Assert.Contains("deviceId is not valid text", letters[1].Reason);
        Assert.Contains("ahead of the server clock", letters[2].Reason);
        Assert.Contains("seq 9223372036854775807 is above", letters[3].Reason);
        Assert.Contains("exceeds the limit of 65536 bytes", letters[4].Reason);
        Assert.True(letters[4].Payload.Length <= DeadLetter.MaxPayloadChars + 1);
        var counts = _counters.ReadThisSilo().Single();
        Assert.Equal((101L, 5L, 0L), (counts.Accepted, counts.DeadLettered, counts.Retried));

        // The fleet of a decoded event is kept with its dead letter and counted for the fleet; a body that is no event names none.
        Assert.Equal(["f", "f"], letters.Where(l => l.FleetId is not null).Select(l => l.FleetId));
        Assert.Null(letters[4].FleetId);
        var fleet = _metrics.TakeFleetTallies().Single(t => t.FleetId == "f").Tally;
        Assert.Equal((101L, 2L), (fleet.Accepted, fleet.DeadLettered));
        Assert.True(fleet.LagCount >= 101 && fleet.LagMillisecondsSum / fleet.LagCount < 60_000, $"{fleet}");
        Assert.Empty(_metrics.TakeFleetTallies()); // taken once
    }

    [Fact]
    public async Task GeneratedHostileBodies_DecodedIntoOneRead_DeliverEveryValidEventToItsOwnDevice()
    {
        // A broken NDJSON line once took with it every event of the read that had its index in an earlier message.
        var devices = new AcceptingDevices.Log();
        var processor = Processor(AcceptingDevices.Create(devices), _deadLetters, maxBodyBytes: 4 * 1024 * 1024);
        var bodies = Enumerable.Range(0, 60)
            .Select(i => new HostileTelemetry(20_000 + i).NextBody(validEvents: 3, hostileEvents: 1, ndjson: true, prefix: $"s{i}"))
            .ToList();

        var done = await processor.ProcessAsync("test", [.. bodies.Select((b, i) => Message($"s/{i}-0", b.Bytes))], lastAttempt: false);

        Assert.All(done, Assert.True);
        var missed = bodies.SelectMany(b => b.ValidDevices).Where(d => devices.Accepted($"{HostileTelemetry.Fleet}/{d}") != 1).ToList();
        Assert.Empty(missed);
    }

    [Fact]
    public async Task MessagesDecodedIntoOneRead_KeepTheirOwnPositions_AndABodyBrokenAfterValidEventsLeavesNoneOfThemApplied()
    {
        var devices = new AcceptingDevices.Log();
        var processor = Processor(AcceptingDevices.Create(devices), _deadLetters);
        var now = HostileTelemetry.Now;
        string Event(string device, int seq) => HostileTelemetry.ValidEvent("f", device, seq, now);
        List<SourceMessage> messages =
        [
            Message("s/1-0", Event("a", 1)),
            Message("s/2-0", $"[{Event("b", 1)},{Event("b", 2)},{{\"fleetId\":"), // valid events, then a broken tail
            new("s/3-0", Encoding.UTF8.GetBytes($"{Event("c", 1)}\n{Event("x", 2)}\n{{\"ts\":{now},\"seq\":3,\"values\":[1]}}"), FleetId: "f", DeviceId: "c"),
            Message("s/4-0", $"[{Event("d", 1)},5,{Event("d", 2)}]"),
        ];

        var done = await processor.ProcessAsync("test", messages, lastAttempt: false);

        Assert.All(done, Assert.True);
        Assert.Equal((1, 0, 2, 2), (devices.Accepted("f/a"), devices.Accepted("f/b"), devices.Accepted("f/c"), devices.Accepted("f/d")));
        Assert.Equal(0, devices.Accepted("f/x"));
        var letters = (await _deadLetters.ReadAsync(10, "test")).OrderBy(l => l.Position, StringComparer.Ordinal).ToList();
        Assert.Equal(["s/2-0", "s/3-0#1", "s/4-0#1"], letters.Select(l => l.Position));
        Assert.Contains("the topic names f/c", letters[1].Reason);
        Assert.Contains("element 1 is a number", letters[2].Reason);
    }

    [Fact]
    public async Task BinaryPoison_IsDeadLetteredWithReasonAndPosition_AndTheValidBinaryBlocksAreApplied()
    {
        var devices = new AcceptingDevices.Log();
        var processor = Processor(AcceptingDevices.Create(devices), _deadLetters);
        var now = HostileTelemetry.Now;
        var valid = new DeviceBlock { FleetId = "f", DeviceId = "b", Features = 2, Seq = { 1, 2 }, Ts = { now, now + 1 }, Values = { 1, 2, 3, 4 } };
        var broken = new DeviceBlock { FleetId = "f", DeviceId = "c", Features = 2, Seq = { 1 }, Ts = { now }, Values = { 1 } };
        var whole = new TelemetryBatch { Devices = { broken, valid } }.ToByteArray();
        List<SourceMessage> messages =
        [
            new("s/1-0", whole[..(whole.Length / 2)], Binary: true),
            new("s/2-0", whole, Binary: true),
            new("s/3-0", Encoding.UTF8.GetBytes(HostileTelemetry.ValidEvent("f", "b", 3, now)), Binary: true),
        ];

        var done = await processor.ProcessAsync("test", messages, lastAttempt: false);

        Assert.All(done, Assert.True);
        Assert.Equal(2, devices.Accepted("f/b"));
        var letters = (await _deadLetters.ReadAsync(10, "test")).OrderBy(l => l.Position, StringComparer.Ordinal).ToList();
        Assert.Equal(["s/1-0", "s/2-0#0", "s/3-0"], letters.Select(l => l.Position));
        Assert.StartsWith("The binary batch could not be read", letters[0].Reason, StringComparison.Ordinal);
        Assert.Equal("device block 0 (f/c): values has 1 numbers; seq has 1 samples of 2 features (2 numbers)", letters[1].Reason);
        Assert.StartsWith("The binary batch could not be read", letters[2].Reason, StringComparison.Ordinal); // JSON sent as binary
    }

    [Fact]
    public async Task HandlingThatFailsForAnotherReason_OnTheLastAttempt_DeadLettersOnlyTheMessageThatStillFails()
    {
        // A dead-letter store that refuses the decoder's letters (standing in for a bug): handling the batch throws.
        var devices = new AcceptingDevices.Log();
        var store = new RefusingStore(_deadLetters, refuse: letter => letter.Reason.StartsWith("Malformed", StringComparison.Ordinal));
        var processor = Processor(AcceptingDevices.Create(devices), store);
        var now = HostileTelemetry.Now;
        List<SourceMessage> messages = [Message("s/1-0", HostileTelemetry.ValidEvent("f", "a", 1, now)), Message("s/2-0", "[{"), Message("s/3-0", HostileTelemetry.ValidEvent("f", "b", 1, now))];

        await Assert.ThrowsAsync<InvalidOperationException>(() => processor.ProcessAsync("test", messages, lastAttempt: false, attempt: 1));
        var done = await processor.ProcessAsync("test", messages, lastAttempt: true, attempt: 20);

        Assert.All(done, Assert.True);
        // Each attempt, and then each message alone, reached the devices again: their seq idempotence makes that safe.
        Assert.Equal((3, 3), (devices.Accepted("f/a"), devices.Accepted("f/b")));
        var letter = Assert.Single(await _deadLetters.ReadAsync(10, "test"));
        Assert.Equal("s/2-0", letter.Position);
        Assert.StartsWith("handling this message failed 20 times (InvalidOperationException", letter.Reason);
    }

    [Fact]
    public async Task ATransportFailure_IsNotTheMessagesFault_EvenOnTheLastAttempt()
    {
        var store = new RefusingStore(_deadLetters, refuse: _ => true, failure: () => new RedisConnectionException(ConnectionFailureType.SocketFailure, "Redis is away"));
        var processor = Processor(AcceptingDevices.Create(new AcceptingDevices.Log()), store);

        await Assert.ThrowsAsync<RedisConnectionException>(() => processor.ProcessAsync("test", [Message("s/1-0", "[{")], lastAttempt: true, attempt: 20));

        Assert.Empty(await _deadLetters.ReadAsync(10, null));
    }

    [Theory]
    [InlineData(typeof(RedisTimeoutException), true)]
    [InlineData(typeof(MQTTnet.Exceptions.MqttCommunicationTimedOutException), true)]
    [InlineData(typeof(System.Net.Sockets.SocketException), true)]
    [InlineData(typeof(InvalidOperationException), false)]
    [InlineData(typeof(ArgumentOutOfRangeException), false)]
    [InlineData(typeof(OverflowException), false)]
    public void TransportErrors_AreToldApartByType(Type type, bool transport)
    {
        var exception = type == typeof(RedisTimeoutException)
            ? new RedisTimeoutException("timeout", CommandStatus.Sent)
            : (Exception)Activator.CreateInstance(type)!;

        Assert.Equal(transport, TransportErrors.IsTransport(exception));
        Assert.Equal(transport, TransportErrors.IsTransport(new AggregateException(exception)));
    }

    private sealed class RefusingStore(IDeadLetterStore inner, Func<DeadLetter, bool> refuse, Func<Exception>? failure = null) : IDeadLetterStore
    {
        public Task AddAsync(IReadOnlyCollection<DeadLetter> letters) =>
            letters.Any(refuse) ? throw (failure?.Invoke() ?? new InvalidOperationException("refused")) : inner.AddAsync(letters);

        public Task<IReadOnlyList<DeadLetter>> ReadAsync(int count, string? source) => inner.ReadAsync(count, source);
    }

    /// <summary>A grain factory whose device grains take every sample (and count them per device).</summary>
    public class AcceptingDevices : DispatchProxy
    {
        private Log _log = null!;

        public static IGrainFactory Create(Log log)
        {
            var factory = DispatchProxy.Create<IGrainFactory, AcceptingDevices>();
            ((AcceptingDevices)(object)factory)._log = log;
            return factory;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod!.ReturnType == typeof(IDeviceGrain)
                ? AcceptingDevice.Create(_log, (string)args![0]!)
                : throw new NotSupportedException(targetMethod.Name);

        public sealed class Log
        {
            private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _accepted = new();

            public int Accepted(string deviceKey) => _accepted.GetValueOrDefault(deviceKey);

            public void Add(string deviceKey, int count) => _accepted.AddOrUpdate(deviceKey, count, (_, n) => n + count);
        }
    }

    public class AcceptingDevice : DispatchProxy
    {
        private AcceptingDevices.Log _log = null!;
        private string _key = "";

        public static IDeviceGrain Create(AcceptingDevices.Log log, string key)
        {
            var device = DispatchProxy.Create<IDeviceGrain, AcceptingDevice>();
            var proxy = (AcceptingDevice)(object)device;
            (proxy._log, proxy._key) = (log, key);
            return device;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            var block = (TelemetryBlock)args![0]!;
            _log.Add(_key, block.Count);
            return ValueTask.FromResult(new IngestOutcome(block.Count, 0, []));
        }
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
            ValueTask.FromException<IngestOutcome>(new TimeoutException("device unreachable"));
    }
}
