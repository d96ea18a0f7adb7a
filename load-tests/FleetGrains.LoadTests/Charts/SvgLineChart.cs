using System.Globalization;
using System.Net;
using System.Text;

namespace FleetGrains.LoadTests;

/// <summary>One line of a chart: its name and its points.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points);

/// <summary>
/// A line chart written as a self-contained SVG file (no scripts, no fonts to fetch), with linear or
/// base-10 logarithmic axes, ticks, a legend and one colour per series.
/// </summary>
public sealed record SvgLineChart(string FileName, string Title, string XLabel, string YLabel, IReadOnlyList<ChartSeries> Series, bool LogX = false, bool LogY = false)
{
    private const int Width = 860, Height = 440, Left = 80, Right = 280, Top = 40, Bottom = 60;
    private static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

    public string ToSvg()
    {
        var points = Series.SelectMany(s => s.Points).Where(p => Usable(p.X, LogX) && Usable(p.Y, LogY)).ToList();
        if (points.Count == 0)
        {
            throw new InvalidOperationException($"Chart '{Title}' has no point to draw.");
        }

        var (x0, x1) = Range(points.Select(p => p.X), LogX);
        var (y0, y1) = Range(points.Select(p => p.Y).Append(LogY ? points.Min(p => p.Y) : 0), LogY);
        double Px(double x) => Left + ((Scale(x, LogX) - x0) / (x1 - x0) * (Width - Left - Right));
        double Py(double y) => Height - Bottom - ((Scale(y, LogY) - y0) / (y1 - y0) * (Height - Top - Bottom));

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{Height}" font-family="sans-serif" font-size="12">""").AppendLine();
        svg.Append(CultureInfo.InvariantCulture, $"""<rect width="{Width}" height="{Height}" fill="white"/>""").AppendLine();
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{Width / 2}" y="22" text-anchor="middle" font-size="15">{Escape(Title)}</text>""").AppendLine();
        foreach (var (value, label) in Ticks(x0, x1, LogX))
        {
            var x = Px(value);
            svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{F(x)}" y1="{Top}" x2="{F(x)}" y2="{Height - Bottom}" stroke="#e0e0e0"/><text x="{F(x)}" y="{Height - Bottom + 16}" text-anchor="middle">{label}</text>""").AppendLine();
        }

        foreach (var (value, label) in Ticks(y0, y1, LogY))
        {
            var y = Py(value);
            svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{Left}" y1="{F(y)}" x2="{Width - Right}" y2="{F(y)}" stroke="#e0e0e0"/><text x="{Left - 6}" y="{F(y + 4)}" text-anchor="end">{label}</text>""").AppendLine();
        }

        svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{Left}" y="{Top}" width="{Width - Left - Right}" height="{Height - Top - Bottom}" fill="none" stroke="#333"/>""").AppendLine();
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{(Width - Right + Left) / 2}" y="{Height - 18}" text-anchor="middle">{Escape(XLabel)}</text>""").AppendLine();
        svg.Append(CultureInfo.InvariantCulture, $"""<text transform="translate(18 {(Height - Bottom + Top) / 2}) rotate(-90)" text-anchor="middle">{Escape(YLabel)}</text>""").AppendLine();
        for (var i = 0; i < Series.Count; i++)
        {
            var colour = Colours[i % Colours.Length];
            var drawn = Series[i].Points.Where(p => Usable(p.X, LogX) && Usable(p.Y, LogY)).OrderBy(p => p.X).ToList();
            svg.Append(CultureInfo.InvariantCulture, $"""<polyline fill="none" stroke="{colour}" stroke-width="2" points="{string.Join(' ', drawn.Select(p => $"{F(Px(p.X))},{F(Py(p.Y))}"))}"/>""").AppendLine();
            foreach (var p in drawn)
            {
                svg.Append(CultureInfo.InvariantCulture, $"""<circle cx="{F(Px(p.X))}" cy="{F(Py(p.Y))}" r="3" fill="{colour}"/>""").AppendLine();
            }

            var legendY = Top + 10 + (i * 18);
            svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{Width - Right + 12}" y1="{legendY}" x2="{Width - Right + 32}" y2="{legendY}" stroke="{colour}" stroke-width="2"/><text x="{Width - Right + 38}" y="{legendY + 4}">{Escape(Series[i].Name)}</text>""").AppendLine();
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static bool Usable(double value, bool log) => double.IsFinite(value) && (!log || value > 0);

    private static double Scale(double value, bool log) => log ? Math.Log10(value) : value;

    private static (double Low, double High) Range(IEnumerable<double> values, bool log)
    {
        var scaled = values.Where(v => Usable(v, log)).Select(v => Scale(v, log)).ToList();
        var (low, high) = (scaled.Min(), scaled.Max());
        if (log)
        {
            return (Math.Floor(low), Math.Max(Math.Ceiling(high), Math.Floor(low) + 1));
        }

        var step = NiceStep((high - low) / 5);
        return (Math.Floor(low / step) * step, Math.Max(Math.Ceiling(high / step) * step, (Math.Floor(low / step) + 1) * step));
    }

    private static IEnumerable<(double Value, string Label)> Ticks(double low, double high, bool log)
    {
        if (log)
        {
            for (var e = (int)low; e <= (int)high; e++)
            {
                yield return (Math.Pow(10, e), Label(Math.Pow(10, e)));
            }

            yield break;
        }

        var step = NiceStep((high - low) / 5);
        for (var v = low; v <= high + (step / 2); v += step)
        {
            yield return (v, Label(v));
        }
    }

    private static double NiceStep(double rough)
    {
        if (rough <= 0)
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        return new[] { 1, 2, 5, 10 }.Select(m => m * magnitude).First(s => s >= rough);
    }

    private static string Label(double value) => Math.Abs(value) switch
    {
        >= 1e6 => (value / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + "M",
        >= 1e3 => (value / 1e3).ToString("0.##", CultureInfo.InvariantCulture) + "k",
        _ => value.ToString("0.###", CultureInfo.InvariantCulture),
    };

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
