using System.Collections.Concurrent;
using FleetGrains.Abstractions;
using Microsoft.Extensions.Options;

namespace FleetGrains.Grains.Models;

/// <summary>
/// Each silo's copy of the fleets' model assignments, so that device grains do not ask the registry on
/// every ingest: one question per fleet and silo per <see cref="ModelRegistryOptions.RefreshInterval"/>,
/// answered from the old copy while the new one is on its way. An answer that reports a problem does not
/// replace a working assignment (a model host that is briefly away must not reset every device's threshold).
/// </summary>
public sealed class FleetModelCache(IGrainFactory grains, IOptions<ModelRegistryOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public ValueTask<FleetModelAssignment> GetAsync(string fleetId)
    {
        var entry = _entries.GetOrAdd(fleetId, _ => new Entry());
        Task<FleetModelAssignment> pending;
        lock (entry)
        {
            var fresh = time.GetUtcNow() - entry.FetchedAt < options.Value.RefreshInterval;
            if (entry.Value is { } cached && fresh)
            {
                return new ValueTask<FleetModelAssignment>(cached);
            }

            if (entry.Pending is null or { IsCompleted: true })
            {
                entry.Pending = FetchAsync(fleetId, entry);
            }

            pending = entry.Pending;
            if (entry.Value is { } stale)
            {
                return new ValueTask<FleetModelAssignment>(stale);
            }
        }

        return new ValueTask<FleetModelAssignment>(pending);
    }

    /// <summary>Forgets a fleet's copy, so the next question goes to the registry (after a change made on this silo).</summary>
    public void Invalidate(string fleetId) => _entries.TryRemove(fleetId, out _);

    private async Task<FleetModelAssignment> FetchAsync(string fleetId, Entry entry)
    {
        FleetModelAssignment answer;
        try
        {
            answer = await grains.GetGrain<IFleetModelsGrain>(fleetId).GetAsync();
        }
        catch (Exception ex)
        {
            answer = FleetModelAssignment.None(fleetId, "cache", $"The model registry could not be asked: {ex.Message}");
        }

        lock (entry)
        {
            if (answer.Problem is null || entry.Value is not { Problem: null })
            {
                entry.Value = answer;
            }

            entry.FetchedAt = time.GetUtcNow();
            entry.Pending = null;
            return entry.Value!;
        }
    }

    private sealed class Entry
    {
        public FleetModelAssignment? Value { get; set; }

        public DateTimeOffset FetchedAt { get; set; } = DateTimeOffset.MinValue;

        public Task<FleetModelAssignment>? Pending { get; set; }
    }
}
