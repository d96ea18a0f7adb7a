namespace FleetGrains.Silo.Security;

/// <summary>
/// Headers every answer carries: no MIME sniffing, no framing, no referrer, a content security policy that allows
/// nothing (the API serves data) except on the dashboard's pages, which may load their own scripts, styles and data
/// from this origin and nothing else, and no caching of API answers (they hold fleet data).
/// </summary>
public static class SecurityHeaders
{
    public const string DataPolicy = "default-src 'none'; frame-ancestors 'none'";
    public const string PagePolicy = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    // Set as the answer starts, so that answers the exception handler rewrites (it clears headers) carry them too.
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            var page = context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true;
            headers.ContentSecurityPolicy = page ? PagePolicy : DataPolicy;
            if (context.Request.Path.StartsWithSegments("/api"))
            {
                headers.CacheControl = "no-store";
            }

            return Task.CompletedTask;
        });
        return next(context);
    });
}
