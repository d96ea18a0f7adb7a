using FleetGrains.Abstractions;
using FleetGrains.Grains;
using FleetGrains.Grains.Devices;
using FleetGrains.Grains.Hosting;
using FleetGrains.Grains.Models;
using FleetGrains.Inference.Hosting;
using FleetGrains.Inference.Onnx;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace FleetGrains.Inference.Tests;

/// <summary>
/// Two in-process silos with the device grains: Silo_0 declares <c>fleet-models=false</c>, Silo_1 (and any
/// silo started later) <c>fleet-models=true</c>; fleet <c>f</c> is scored by the test model. Each test has
/// its own cluster, because some stop silos.
/// </summary>
public sealed class ModelHostClusterTests : IAsyncLifetime, IDisposable
{
    private const string CoreSilo = "Silo_0";
    private const string Fleet = "f";
    private static readonly ModelRef Model = new("pump-autoencoder", 1);

    private readonly TestModels _models = new();
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _models.WriteAutoencoder(Model);
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((options, silo) =>
        {
            silo.UseFleetInference(hostsModels: options.SiloName != CoreSilo, ExecutionProvider.Cpu);
            silo.Services.PostConfigure<InferenceOptions>(o => o.ModelDirectory = _models.ModelDirectory);
            silo.AddMemoryGrainStorage(FleetStorage.Name);
            silo.Services.AddFleetGrainServices();
            silo.Services.PostConfigure<ModelRegistryOptions>(o => o.Fleets[Fleet] = new FleetModelSettings { Anomaly = Model.Key });
            silo.Services.PostConfigure<DeviceOptions>(o => o.CalibrationScores = 5);
            // Both silos share this process, so resource-optimized placement (the default) sees equal load and
            // keeps new activations on the silo a call arrives at; random placement spreads them over both.
            silo.Services.AddSingleton<Orleans.Runtime.PlacementStrategy, Orleans.Runtime.RandomPlacement>();
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    public void Dispose() => _models.Dispose();

    [Fact]
    public async Task Score_FromGrainsOnBothSilos_IsServedByAModelHostOnTheModelHostingSiloOnly()
    {
        var modelSilo = SiloAddress("Silo_1");
        var probes = await ProbesOnEverySilo();
        foreach (var (probe, _) in probes)
        {
            var result = await probe.ScoreAsync(Model, Request(rows: 3));
            Assert.Equal(3, result.Rows);
            Assert.Equal(3 * TestModels.Features, result.FeatureErrors.Length);
            Assert.All(result.Values.ToArray(), v => Assert.True(v >= 0 && float.IsFinite(v)));
        }

        var status = await _cluster.Client.GetGrain<IModelHostGrain>(Model.Key).GetStatusAsync();
        Assert.Equal(modelSilo, status.Silo);
        Assert.Equal((ModelKind.WindowAutoencoder, "Cpu", "Cpu"), (status.Description.Kind, status.RequestedProvider, status.ActiveProvider));
        Assert.Equal(3L * probes.Count, status.Rows);
    }

    [Fact]
    public async Task Score_WithTheModelHostingSiloStopped_FailsVisiblyAndAStartedOneResumes()
    {
        var probes = await ProbesOnEverySilo();
        var coreProbe = probes.Single(p => p.Silo == SiloAddress(CoreSilo)).Probe;
        await coreProbe.ScoreAsync(Model, Request(rows: 1));

        await _cluster.StopSiloAsync(_cluster.Silos.Single(s => s.Name == "Silo_1"));
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => coreProbe.ScoreAsync(Model, Request(rows: 1)).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.IsNotType<TimeoutException>(failure);
        Assert.Equal(SiloAddress(CoreSilo), await coreProbe.GetSiloAsync()); // the silo and its grains are still there

        var restarted = await _cluster.StartAdditionalSiloAsync();
        await _cluster.WaitForLivenessToStabilizeAsync();
        var result = await Eventually.Succeeds(() => coreProbe.ScoreAsync(Model, Request(rows: 2)));
        Assert.Equal(2, result.Rows);
        var status = await _cluster.Client.GetGrain<IModelHostGrain>(Model.Key).GetStatusAsync();
        Assert.Equal(restarted.SiloAddress.ToString(), status.Silo);
    }

    [Fact]
    public async Task Devices_OnTheCoreSilo_AreScoredThroughTheModelSilo_FailVisiblyWithoutIt_AndResume()
    {
        var management = _cluster.Client.GetGrain<IManagementGrain>(0);
        var onCore = new List<IDeviceGrain>();
        for (var i = 0; i < 100 && onCore.Count < 3; i++)
        {
            var device = _cluster.Client.GetGrain<IDeviceGrain>(FleetKeys.Device(Fleet, $"d{i}"));
            Assert.Equal(9, (await device.IngestAsync(Samples(0, 9))).Accepted);
            if ((await management.GetActivationAddress(device))?.ToString() == SiloAddress(CoreSilo))
            {
                onCore.Add(device);
            }
        }

        Assert.NotEmpty(onCore);
        foreach (var device in onCore)
        {
            var snapshot = (await device.GetSnapshotAsync())!;
            Assert.Equal((Model.Key, 8L, 0L), (snapshot.Scoring.Scorer, snapshot.Counters.Scored, snapshot.Scoring.Failures));
            Assert.Equal(HealthState.Healthy, snapshot.Health);
        }

        var host = _cluster.Client.GetGrain<IModelHostGrain>(Model.Key);
        Assert.Equal(SiloAddress("Silo_1"), (await host.GetStatusAsync()).Silo);

        await _cluster.StopSiloAsync(_cluster.Silos.Single(s => s.Name == "Silo_1"));
        var probe = onCore[0];
        var outcome = await probe.IngestAsync(Samples(9, 3)).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        var failing = (await probe.GetSnapshotAsync())!;
        Assert.Equal(3, outcome.Accepted); // the samples are kept ...
        Assert.Equal((12L, 8L), (failing.Counters.Accepted, failing.Counters.Scored)); // ... unscored
        Assert.True(failing.Scoring.Failures >= 1);
        Assert.Contains(Model.Key, failing.Scoring.LastError);

        await _cluster.StartAdditionalSiloAsync();
        await _cluster.WaitForLivenessToStabilizeAsync();
        var next = 12L;
        var resumed = await Eventually.Succeeds(async () =>
        {
            await probe.IngestAsync(Samples(next++, 1));
            var snapshot = (await probe.GetSnapshotAsync())!;
            return snapshot.Counters.Scored > 8 ? snapshot : throw new InvalidOperationException("not scored yet");
        });
        Assert.Equal(next, resumed.Counters.Accepted);
    }

    private static TelemetrySample[] Samples(long first, int count) =>
        [.. TestModels.Rows(count, seed: (int)first).Select((values, i) => new TelemetrySample(first + i, (first + i) * 1000, values))];

    private string SiloAddress(string name) => _cluster.Silos.Single(s => s.Name == name).SiloAddress.ToString();

    // Grains land on either silo; probes are activated until each silo has one.
    private async Task<List<(IScoringProbeGrain Probe, string Silo)>> ProbesOnEverySilo()
    {
        var found = new Dictionary<string, IScoringProbeGrain>();
        for (var key = 0; key < 200 && found.Count < 2; key++)
        {
            var probe = _cluster.Client.GetGrain<IScoringProbeGrain>(key);
            found.TryAdd(await probe.GetSiloAsync(), probe);
        }

        Assert.Equal(2, found.Count);
        return [.. found.Select(p => (p.Value, p.Key))];
    }

    // Row r is the window of readings r .. r + W − 1.
    private static ScoringRequest Request(int rows)
    {
        var readings = TestModels.Rows(rows + TestModels.Window - 1, seed: 5);
        return new(Enumerable.Range(0, rows).SelectMany(r => readings.Skip(r).Take(TestModels.Window).SelectMany(values => values)).ToArray(), rows);
    }
}
