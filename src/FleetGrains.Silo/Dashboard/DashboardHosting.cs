using Microsoft.Extensions.FileProviders;

namespace FleetGrains.Silo.Dashboard;

/// <summary>
/// The operator dashboard: static pages and scripts embedded in the silo, served at <c>/</c> to anyone who can reach
/// the port. They hold no data: every figure they show comes from the API, with the credential the operator gives.
/// </summary>
public static class DashboardHosting
{
    public static IFileProvider Files { get; } = new ManifestEmbeddedFileProvider(typeof(DashboardHosting).Assembly, "Dashboard/site");

    /// <summary>Before authentication: the files are public, and the fallback policy would refuse them.</summary>
    public static IApplicationBuilder UseDashboard(this IApplicationBuilder app)
    {
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = Files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = Files,
            // Revalidated on every load, so that a new silo's dashboard is never mixed with an old one's cached scripts.
            OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = "no-cache",
        });
        return app;
    }
}
