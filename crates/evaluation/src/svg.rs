//! Inline SVG charts for the report: no scripts, no external assets, scaled by `viewBox`.

use std::fmt::Write;

pub(crate) const LEAD_COLOUR: &str = "#1f5f99";
pub(crate) const CONTROL_COLOUR: &str = "#b8560b";

/// Escapes text for HTML and SVG.
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

struct Frame {
    w: f64,
    h: f64,
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

impl Frame {
    fn x(&self, v: f64) -> f64 {
        self.left + (v - self.x0) / (self.x1 - self.x0) * (self.w - self.left - self.right)
    }
    fn y(&self, v: f64) -> f64 {
        self.h
            - self.bottom
            - (v - self.y0) / (self.y1 - self.y0) * (self.h - self.top - self.bottom)
    }
    fn open(&self, label: &str) -> String {
        format!(
            "<svg viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" \
             font-family=\"system-ui, sans-serif\" font-size=\"14\">",
            self.w,
            self.h,
            esc(label)
        )
    }
    fn x_axis(&self, ticks: &[f64], fmt: impl Fn(f64) -> String, title: &str) -> String {
        let mut s = String::new();
        let yb = self.h - self.bottom;
        let _ = write!(
            s,
            "<line x1=\"{}\" y1=\"{yb}\" x2=\"{}\" y2=\"{yb}\" stroke=\"#555\"/>",
            self.left,
            self.w - self.right
        );
        for t in ticks {
            let x = self.x(*t);
            let _ = write!(
                s,
                "<line x1=\"{x:.1}\" y1=\"{yb}\" x2=\"{x:.1}\" y2=\"{}\" stroke=\"#555\"/>\
                 <text x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                yb + 4.0,
                yb + 17.0,
                esc(&fmt(*t))
            );
        }
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\">{}</text>",
            (self.left + self.w - self.right) / 2.0,
            yb + 33.0,
            esc(title)
        );
        s
    }
    fn y_axis(&self, ticks: &[f64], fmt: impl Fn(f64) -> String, title: &str) -> String {
        let mut s = String::new();
        for t in ticks {
            let y = self.y(*t);
            let _ = write!(
                s,
                "<line x1=\"{}\" y1=\"{y:.1}\" x2=\"{}\" y2=\"{y:.1}\" stroke=\"#e3e3e3\"/>\
                 <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                self.left,
                self.w - self.right,
                self.left - 6.0,
                y + 4.0,
                esc(&fmt(*t))
            );
        }
        let _ = write!(
            s,
            "<text transform=\"translate(14 {:.1}) rotate(-90)\" text-anchor=\"middle\" fill=\"#333\">{}</text>",
            (self.top + self.h - self.bottom) / 2.0,
            esc(title)
        );
        s
    }
}

fn legend(x: f64, y: f64, items: &[(&str, &str, bool)]) -> String {
    let mut s = String::new();
    let mut cx = x;
    for (label, colour, dashed) in items {
        let dash = if *dashed {
            " stroke-dasharray=\"6 3\""
        } else {
            ""
        };
        let _ = write!(
            s,
            "<line x1=\"{cx}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{colour}\" stroke-width=\"2.5\"{dash}/>\
             <text x=\"{}\" y=\"{}\">{}</text>",
            cx + 22.0,
            cx + 27.0,
            y + 4.0,
            esc(label)
        );
        cx += 40.0 + 7.0 * label.len() as f64;
    }
    s
}

/// Kaplan–Meier step curves for LEAD and comparison with a numbers-at-risk table.
pub(crate) fn km_chart(
    lead: &[(f64, f64)],
    control: &[(f64, f64)],
    risk_times: &[u64],
    risk_lead: &[u64],
    risk_control: &[u64],
) -> String {
    let f = Frame {
        w: 640.0,
        h: 330.0,
        left: 120.0,
        right: 20.0,
        top: 30.0,
        bottom: 110.0,
        x0: 0.0,
        x1: 730.0,
        y0: 0.0,
        y1: 1.0,
    };
    let mut s = f.open("Kaplan–Meier curves of time to first arrest");
    s += &f.y_axis(
        &[0.0, 0.25, 0.5, 0.75, 1.0],
        |v| format!("{:.0}%", v * 100.0),
        "Not yet re-arrested",
    );
    let ticks: Vec<f64> = risk_times.iter().map(|t| *t as f64).collect();
    s += &f.x_axis(
        &ticks,
        |v| format!("{v:.0}"),
        "Days since referral / index arrest",
    );
    for (pts, colour, dashed) in [(lead, LEAD_COLOUR, false), (control, CONTROL_COLOUR, true)] {
        let mut d = String::new();
        for (i, (t, sv)) in pts.iter().enumerate() {
            let t = t.min(730.0);
            if i == 0 {
                let _ = write!(d, "M{:.1},{:.1}", f.x(t), f.y(*sv));
            } else {
                let _ = write!(d, " H{:.1} V{:.1}", f.x(t), f.y(*sv));
            }
        }
        let _ = write!(d, " H{:.1}", f.x(730.0));
        let dash = if dashed {
            " stroke-dasharray=\"6 3\""
        } else {
            ""
        };
        let _ = write!(
            s,
            "<path d=\"{d}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\"{dash}/>"
        );
    }
    s += &legend(
        f.left + 10.0,
        16.0,
        &[
            ("LEAD", LEAD_COLOUR, false),
            ("Comparison", CONTROL_COLOUR, true),
        ],
    );
    // numbers at risk
    let base = f.h - f.bottom + 55.0;
    let _ = write!(
        s,
        "<text x=\"4\" y=\"{}\" font-weight=\"600\">Number at risk</text>",
        base
    );
    for (row, (label, values, colour)) in [
        ("LEAD", risk_lead, LEAD_COLOUR),
        ("Comparison", risk_control, CONTROL_COLOUR),
    ]
    .iter()
    .enumerate()
    {
        let y = base + 18.0 * (row as f64 + 1.0);
        let _ = write!(
            s,
            "<text x=\"4\" y=\"{y}\" fill=\"{colour}\">{label}</text>"
        );
        for (t, v) in ticks.iter().zip(values.iter()) {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{y}\" text-anchor=\"middle\">{v}</text>",
                f.x(*t)
            );
        }
    }
    s + "</svg>"
}

/// Monthly share (0–1) of an outcome before and after referral, month 0 left out.
pub(crate) fn monthly_chart(title: &str, points: &[(i32, u64, u64)]) -> String {
    let f = Frame {
        w: 640.0,
        h: 240.0,
        left: 72.0,
        right: 16.0,
        top: 28.0,
        bottom: 44.0,
        x0: -12.5,
        x1: 24.5,
        y0: 0.0,
        y1: 1.0,
    };
    let mut s = f.open(&format!("{title}: monthly share before and after referral"));
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"16\" font-weight=\"600\">{}</text>",
        f.left,
        esc(title)
    );
    s += &f.y_axis(
        &[0.0, 0.25, 0.5, 0.75, 1.0],
        |v| format!("{:.0}%", v * 100.0),
        "Share",
    );
    s += &f.x_axis(
        &[-12.0, -6.0, 0.0, 6.0, 12.0, 18.0, 24.0],
        |v| format!("{v:.0}"),
        "Month relative to referral",
    );
    let x0 = f.x(0.0);
    let _ = write!(
        s,
        "<line x1=\"{x0:.1}\" y1=\"{}\" x2=\"{x0:.1}\" y2=\"{}\" stroke=\"#888\" stroke-dasharray=\"3 3\"/>\
         <text x=\"{:.1}\" y=\"{}\" fill=\"#555\">referral</text>",
        f.top,
        f.h - f.bottom,
        x0 + 4.0,
        f.top + 10.0
    );
    for (after, colour) in [(false, "#777"), (true, LEAD_COLOUR)] {
        let sel: Vec<&(i32, u64, u64)> = points
            .iter()
            .filter(|(m, _, _)| if after { *m > 0 } else { *m < 0 })
            .collect();
        let d: Vec<String> = sel
            .iter()
            .enumerate()
            .map(|(i, (m, n, k))| {
                format!(
                    "{}{:.1},{:.1}",
                    if i == 0 { "M" } else { " L" },
                    f.x(f64::from(*m)),
                    f.y(*k as f64 / *n as f64)
                )
            })
            .collect();
        let _ = write!(
            s,
            "<path d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\"/>",
            d.concat()
        );
        for (m, n, k) in sel {
            let _ = write!(
                s,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"{colour}\"/>",
                f.x(f64::from(*m)),
                f.y(*k as f64 / *n as f64)
            );
        }
    }
    s + "</svg>"
}

/// Mean cost in the year before and after the index date, per group.
pub(crate) fn cost_chart(lead: (f64, f64), control: (f64, f64), did: Option<f64>) -> String {
    let max = [lead.0, lead.1, control.0, control.1]
        .iter()
        .fold(1.0f64, |m, v| m.max(*v));
    let step = nice_step(max / 4.0);
    let top = (max / step).ceil() * step;
    let f = Frame {
        w: 640.0,
        h: 280.0,
        left: 100.0,
        right: 16.0,
        top: 36.0,
        bottom: 44.0,
        x0: 0.0,
        x1: 4.6,
        y0: 0.0,
        y1: top,
    };
    let mut s = f.open("Mean justice-system cost in the year before and the year after, by group");
    let ticks: Vec<f64> = (0..=((top / step).round() as usize))
        .map(|i| i as f64 * step)
        .collect();
    s += &f.y_axis(&ticks, money, "Mean cost per person (USD)");
    let yb = f.h - f.bottom;
    let _ = write!(
        s,
        "<line x1=\"{}\" y1=\"{yb}\" x2=\"{}\" y2=\"{yb}\" stroke=\"#555\"/>",
        f.left,
        f.w - f.right
    );
    let bars = [
        (0.3, lead.0, "#9dbbd6", "LEAD, year before"),
        (1.3, lead.1, LEAD_COLOUR, "LEAD, year after"),
        (2.6, control.0, "#e8b48c", "Comparison, year before"),
        (3.6, control.1, CONTROL_COLOUR, "Comparison, year after"),
    ];
    for (x, v, colour, label) in bars {
        let (xa, xb) = (f.x(x), f.x(x + 0.8));
        let y = f.y(v);
        let _ = write!(
            s,
            "<rect x=\"{xa:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\"><title>{}: {}</title></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\
             <text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\">{}</text>",
            xb - xa,
            yb - y,
            esc(label),
            money(v),
            (xa + xb) / 2.0,
            y - 5.0,
            money(v),
            (xa + xb) / 2.0,
            yb + 16.0,
            if label.ends_with("before") {
                "before"
            } else {
                "after"
            }
        );
    }
    for (x, label) in [(1.1, "LEAD"), (3.4, "Comparison")] {
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"600\">{label}</text>",
            f.x(x),
            yb + 32.0
        );
    }
    if let Some(d) = did {
        let sign = if d > 0.0 { "+" } else { "" };
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"20\" text-anchor=\"end\" font-weight=\"600\">Difference-in-differences: {sign}{}</text>",
            f.w - f.right,
            money(d)
        );
    }
    s + "</svg>"
}

/// Forest plot of relative rate indices (log scale) with their intervals.
/// One row of a forest plot: label, estimate and interval (any may be missing).
pub(crate) struct ForestRow {
    pub label: String,
    pub estimate: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

pub(crate) fn forest_plot(rows: &[ForestRow]) -> String {
    let vals: Vec<f64> = rows
        .iter()
        .flat_map(|r| [r.estimate, r.low, r.high])
        .flatten()
        .filter(|v| *v > 0.0 && v.is_finite())
        .collect();
    let lo = vals.iter().fold(0.5f64, |m, v| m.min(*v)).max(1e-3);
    let hi = vals.iter().fold(2.0f64, |m, v| m.max(*v)).min(1e3);
    let h = 60.0 + 28.0 * rows.len() as f64;
    let f = Frame {
        w: 640.0,
        h,
        left: 150.0,
        right: 24.0,
        top: 20.0,
        bottom: 44.0,
        x0: lo.ln() - 0.1,
        x1: hi.ln() + 0.1,
        y0: 0.0,
        y1: rows.len() as f64,
    };
    let mut s = f.open("Forest plot of the relative rate index of diversion by race, White = 1");
    let ticks: Vec<f64> = [0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0]
        .iter()
        .filter(|t| **t >= lo * 0.9 && **t <= hi * 1.1)
        .map(|t| f64::ln(*t))
        .collect();
    s += &f.x_axis(
        &ticks,
        |v| format!("{}", (v.exp() * 1000.0).round() / 1000.0),
        "Relative rate index (log scale); 1 = same rate as White",
    );
    let x1 = f.x(0.0);
    let _ = write!(
        s,
        "<line x1=\"{x1:.1}\" y1=\"{}\" x2=\"{x1:.1}\" y2=\"{}\" stroke=\"#333\"/>",
        f.top,
        f.h - f.bottom
    );
    for (
        i,
        ForestRow {
            label,
            estimate: est,
            low: lo,
            high: hi,
        },
    ) in rows.iter().enumerate()
    {
        let y = f.y(rows.len() as f64 - i as f64 - 0.5);
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            f.left - 10.0,
            y + 4.0,
            esc(label)
        );
        if let (Some(l), Some(u)) = (lo, hi) {
            let _ = write!(
                s,
                "<line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{LEAD_COLOUR}\" stroke-width=\"2\"/>",
                f.x(l.max(lo_clip(&f)).ln()),
                f.x(u.ln().min(f.x1))
            );
        }
        if let Some(e) = est.filter(|e| *e > 0.0) {
            let _ = write!(
                s,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"9\" height=\"9\" fill=\"{LEAD_COLOUR}\"/>",
                f.x(e.ln()) - 4.5,
                y - 4.5
            );
        }
    }
    s + "</svg>"
}

fn lo_clip(f: &Frame) -> f64 {
    f.x0.exp()
}

fn nice_step(raw: f64) -> f64 {
    let mag = 10f64.powf(raw.log10().floor());
    let n = raw / mag;
    mag * if n <= 1.0 {
        1.0
    } else if n <= 2.0 {
        2.0
    } else if n <= 5.0 {
        5.0
    } else {
        10.0
    }
}

/// `$12,345` (rounded to whole dollars).
pub(crate) fn money(v: f64) -> String {
    let neg = v < 0.0;
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}${out}", if neg { "−" } else { "" })
}
