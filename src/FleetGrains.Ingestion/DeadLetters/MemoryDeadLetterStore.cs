using FleetGrains.Ingestion.Sources;
using Microsoft.Extensions.Options;

namespace FleetGrains.Ingestion.DeadLetters;

/// <summary>Dead letters of this silo only, in memory (the newest <see cref="SourcesOptions.DeadLetterMaxLength"/>): for a silo without Redis.</summary>
public sealed class MemoryDeadLetterStore(IOptions<SourcesOptions> options) : IDeadLetterStore
{
    private readonly LinkedList<DeadLetter> _letters = new();
    private readonly Lock _lock = new();
    private long _nextId;

    public Task AddAsync(IReadOnlyCollection<DeadLetter> letters)
    {
        lock (_lock)
        {
            foreach (var letter in letters)
            {
                _letters.AddFirst(letter with { Id = (++_nextId).ToString(System.Globalization.CultureInfo.InvariantCulture) });
                if (_letters.Count > options.Value.DeadLetterMaxLength)
                {
                    _letters.RemoveLast();
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<DeadLetter>> ReadAsync(int count, string? source)
    {
        lock (_lock)
        {
            IReadOnlyList<DeadLetter> letters = [.. _letters.Where(l => source is null || l.Source == source).Take(count)];
            return Task.FromResult(letters);
        }
    }
}
