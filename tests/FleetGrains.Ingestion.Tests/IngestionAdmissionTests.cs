using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FleetGrains.Ingestion.Tests;

public sealed class IngestionAdmissionTests
{
    private readonly IngestionAdmission _admission = new(
        Options.Create(new IngestionOptions { MaxEventsInFlight = 100 }),
        new IngestionMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>()));

    [Fact]
    public void Batches_AreLetInUpToTheBound_AndAgainOnceRoomIsGivenBack()
    {
        Assert.True(_admission.TryEnter(60));
        Assert.True(_admission.TryEnter(40));
        Assert.False(_admission.TryEnter(1));
        Assert.Equal(100, _admission.InFlight);

        _admission.Exit(40);

        Assert.False(_admission.TryEnter(41));
        Assert.True(_admission.TryEnter(40));
    }

    [Fact]
    public void ABatchLargerThanTheBound_IsLetInAlone_NeverBesideOthers()
    {
        Assert.True(_admission.TryEnter(250));
        Assert.False(_admission.TryEnter(1));
        _admission.Exit(250);

        Assert.True(_admission.TryEnter(1));
        Assert.False(_admission.TryEnter(250));
    }

    [Fact]
    public async Task AWaitingSource_GetsInWhenRoomIsGivenBack_NotBefore()
    {
        Assert.True(_admission.TryEnter(90));
        var waiting = _admission.EnterAsync(20);
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);

        _admission.Exit(5);
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted); // 85 + 20 > 100: still no room

        _admission.Exit(85);
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(20, _admission.InFlight);
    }

    [Fact]
    public async Task ManyEnteringAndLeavingAtOnce_NeverExceedTheBound_AndEndEmpty()
    {
        var most = 0L;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                await _admission.EnterAsync(7);
                var now = _admission.InFlight;
                InterlockedMax(ref most, now);
                _admission.Exit(7);
            }
        })));

        Assert.Equal(0, _admission.InFlight);
        Assert.InRange(most, 7, 100);
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
