using FleetGrains.Grains.Devices;
using FleetGrains.Grains.Fleets;
using FleetGrains.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Storage;
using Orleans.TestingHost;

namespace FleetGrains.Grains.Tests;

/// <summary>
/// One in-process silo whose grains (and grain timers) run on a <see cref="FakeTimeProvider"/>, while the
/// silo's own background loops keep real time. Tests move the clock explicitly.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const int Features = 3;
    public const int ShardsPerFleet = 4;

    public static readonly TimeSpan PersistInterval = TimeSpan.FromSeconds(30);

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public CountingGrainStorage Storage { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public static DeviceOptions DeviceOptions => new()
    {
        WindowSize = 16,
        WarmupSamples = 10,
        CalibrationScores = 30,
        RaiseAfter = 3,
        ClearAfter = 4,
        MinOfflineTimeout = TimeSpan.FromSeconds(1),
        OfflineMultiple = 5,
        PersistInterval = PersistInterval,
    };

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddFleetGrainServices();
            silo.Services.AddKeyedSingleton<IGrainStorage>(FleetStorage.Name, (services, _) =>
                Storage = new CountingGrainStorage(services.GetRequiredService<StateSerializer>()));
            silo.Services.AddSingleton<TimeProvider>(Time);
            silo.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
            silo.Services.PostConfigure<DeviceOptions>(o =>
            {
                var d = DeviceOptions;
                (o.WindowSize, o.WarmupSamples, o.CalibrationScores, o.RaiseAfter, o.ClearAfter) =
                    (d.WindowSize, d.WarmupSamples, d.CalibrationScores, d.RaiseAfter, d.ClearAfter);
                (o.MinOfflineTimeout, o.OfflineMultiple, o.PersistInterval) = (d.MinOfflineTimeout, d.OfflineMultiple, d.PersistInterval);
            });
            silo.Services.PostConfigure<RollupOptions>(o => o.ShardsPerFleet = ShardsPerFleet);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>Moves the fake clock in steps so that every timer due on the way fires in order.</summary>
    public async Task AdvanceAsync(TimeSpan by, TimeSpan step)
    {
        for (var moved = TimeSpan.Zero; moved < by; moved += step)
        {
            Time.Advance(step);
            await Task.Delay(20); // lets the timer callbacks that just became due run on the silo
        }
    }

    /// <summary>
    /// Moves the clock past every state write now waiting: a write is due at most one persist interval after its change,
    /// in the schedule's slot of 100 ms at or after that, which can end after the interval itself.
    /// </summary>
    public Task AdvancePastPersistIntervalAsync() => AdvanceAsync(PersistInterval + TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

    /// <summary>Polls until <paramref name="condition"/> holds, failing after a real-time deadline.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        T value;
        while (!condition(value = await read()))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for {what}; last value: {value}");
            }

            await Task.Delay(25);
        }

        return value;
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
