using System.Buffers;
using Microsoft.AspNetCore.Http.Features;

namespace FleetGrains.Silo.Api;

/// <summary>
/// A request body read into memory rented from the shared array pool, refusing it as soon as it passes a
/// size limit. Telemetry bodies are megabytes at a time: allocating each (and growing it while reading)
/// put every body on the large object heap, which only full collections reclaim. Dispose returns the memory.
/// </summary>
public sealed class RequestBody : IDisposable
{
    private const int ReadSize = 16 * 1024;

    private byte[] _buffer;

    private RequestBody(byte[] buffer) => _buffer = buffer;

    public int Length { get; private set; }

    /// <summary>The body's bytes; valid until <see cref="Dispose"/>.</summary>
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    /// <summary>The body's bytes as memory; valid until <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    /// <summary>The body, or null when it is larger than <paramref name="maxBytes"/>.</summary>
    public static async Task<RequestBody?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = (long)maxBytes + 1;
        }

        // One byte more than a declared length, so that the read that finds the end has room and needs no growth.
        var body = new RequestBody(ArrayPool<byte>.Shared.Rent((int)Math.Min(request.ContentLength + 1 ?? ReadSize, (long)maxBytes + 1)));
        try
        {
            while (true)
            {
                if (body.Length == body._buffer.Length)
                {
                    body.Grow();
                }

                int read;
                try
                {
                    read = await request.Body.ReadAsync(body._buffer.AsMemory(body.Length), cancellationToken);
                }
                catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
                {
                    body.Dispose();
                    return null; // the server's own limit, raised to ours above when it could be
                }
                catch (IOException ex)
                {
                    // Kestrel reports some malformed bodies so (a chunk size that overflows: "Bad chunk size data"),
                    // and a client that went away mid-body: the request's fault either way.
                    throw new BadHttpRequestException($"The request body could not be read: {ex.Message}", StatusCodes.Status400BadRequest, ex);
                }

                if (read == 0)
                {
                    return body;
                }

                body.Length += read;
                if (body.Length > maxBytes)
                {
                    body.Dispose();
                    return null;
                }
            }
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
            Length = 0;
        }
    }

    private void Grow()
    {
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(ReadSize, _buffer.Length * 2));
        Span.CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
