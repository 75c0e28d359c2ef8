//! Charts as PNG pictures: an SVG document rasterised by `resvg`, its text
//! drawn in the system's fonts (a CJK font such as WenQuanYi or Noto CJK
//! for Chinese names).

use std::sync::{Arc, OnceLock};

use crate::error::{Error, Result};

/// The system's fonts, loaded once.
fn fonts() -> Arc<resvg::usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<resvg::usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = resvg::usvg::fontdb::Database::new();
            db.load_system_fonts();
            Arc::new(db)
        })
        .clone()
}

/// The SVG document `svg` as a PNG picture of its own size, on white.
///
/// ```
/// let svg = r#"<svg width="40" height="20" xmlns="http://www.w3.org/2000/svg"><rect x="5" y="5" width="10" height="10" fill="red"/></svg>"#;
/// let png = salesplan::report::raster::png_of_svg(svg)?;
/// assert!(png.starts_with(b"\x89PNG"));
/// # Ok::<(), salesplan::Error>(())
/// ```
pub fn png_of_svg(svg: &str) -> Result<Vec<u8>> {
    let problem = |reason: String| Error::InvalidParameter {
        name: "chart",
        reason,
    };
    let options = resvg::usvg::Options {
        fontdb: fonts(),
        ..Default::default()
    };
    let tree = resvg::usvg::Tree::from_str(svg, &options)
        .map_err(|e| problem(format!("cannot read the SVG: {e}")))?;
    let size = tree.size().to_int_size();
    let mut pixmap =
        resvg::tiny_skia::Pixmap::new(size.width(), size.height()).ok_or_else(|| {
            problem(format!(
                "no picture of {}×{} pixels",
                size.width(),
                size.height()
            ))
        })?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| problem(format!("cannot encode the PNG: {e}")))
}
