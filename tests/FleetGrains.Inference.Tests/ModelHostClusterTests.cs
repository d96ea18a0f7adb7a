using FleetGrains.Abstractions;
using FleetGrains.Inference.Hosting;
using FleetGrains.Inference.Onnx;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace FleetGrains.Inference.Tests;

/// <summary>
/// Two in-process silos: Silo_0 declares <c>fleet-models=false</c>, Silo_1 (and any silo started later)
/// <c>fleet-models=true</c>. Each test has its own cluster, because some stop silos.
/// </summary>
public sealed class ModelHostClusterTests : IAsyncLifetime, IDisposable
{
    private const string CoreSilo = "Silo_0";
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
            Assert.All(result.Values, v => Assert.True(v >= 0 && float.IsFinite(v)));
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
        return new([.. Enumerable.Range(0, rows).SelectMany(r => readings.Skip(r).Take(TestModels.Window).SelectMany(values => values))], rows);
    }
}
