//! Emoji without tofu: a monochrome outline emoji font (Noto Emoji, SIL OFL 1.1, see
//! `assets/fonts/LICENSE-NotoEmoji.txt`) shipped beside the CJK font and made the text
//! stack's emoji family. Bevy 0.19 lays text out with parley, which shapes every emoji
//! cluster (😊 👍 🙏 ❤️ …) with the text's own font first and then the generic emoji family;
//! the CJK font has none of them, so without this they were drawn as empty boxes. A colour
//! (CBDT/COLR) font is not used: the glyph rasteriser draws outlines only.
//!
//! The font is an ordinary `Font` asset (so it survives a rebuild of the font collection)
//! and, once parley has registered it, is named as the emoji family.

use bevy::prelude::*;
use bevy::text::{Font, FontCx};

/// Noto Emoji Regular (886 KB), compiled in like the CJK font.
pub const EMOJI_FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/NotoEmoji-Regular.ttf");

/// The family name inside the font file.
pub const EMOJI_FAMILY: &str = "Noto Emoji";

pub fn plugin(app: &mut App) {
    let handle = app
        .world_mut()
        .resource_mut::<Assets<Font>>()
        .add(Font::from_bytes(EMOJI_FONT_BYTES.to_vec()));
    app.insert_resource(EmojiFont {
        handle,
        installed: false,
    })
    .add_systems(
        PostUpdate,
        install.after(bevy::text::load_font_assets_into_font_collection),
    );
}

/// The emoji font's asset (kept alive here) and whether it is the emoji family yet.
#[derive(Resource, Debug)]
pub struct EmojiFont {
    pub handle: Handle<Font>,
    pub installed: bool,
}

/// Name the shipped font as the emoji family as soon as the font collection has it.
fn install(mut emoji: ResMut<EmojiFont>, mut fonts: ResMut<FontCx>) {
    if emoji.installed {
        return;
    }
    if fonts.collection.family_id(EMOJI_FAMILY).is_none() {
        // Registered by bevy_text's own system on the frame the asset is first seen.
        return;
    }
    match fonts.set_emoji_family(EMOJI_FAMILY) {
        Ok(()) => emoji.installed = true,
        Err(e) => {
            error!("cannot use the shipped emoji font: {e}");
            // Do not retry every frame: the family is there, so this will not change.
            emoji.installed = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bevy::text::FontSource;

    /// In an App with bevy_text's font systems, the shipped font becomes the emoji family.
    #[test]
    fn the_shipped_font_becomes_the_emoji_family() {
        let mut app = App::new();
        app.add_plugins((
            MinimalPlugins,
            bevy::asset::AssetPlugin::default(),
            bevy::text::TextPlugin,
        ))
        .add_plugins(plugin);
        assert!(!app.world().resource::<EmojiFont>().installed);
        app.update();
        app.update();
        assert!(app.world().resource::<EmojiFont>().installed);
        let mut cx = app.world_mut().resource_mut::<FontCx>();
        assert_eq!(cx.get_family(&FontSource::Emoji), Some(EMOJI_FAMILY));
    }
}
