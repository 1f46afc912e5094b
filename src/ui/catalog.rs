//! The scenarios the picker offers, reloaded from disk whenever the picker opens and — with
//! the `dev` feature — as soon as a scenario file is saved (Bevy's asset watcher), so a team
//! lead can edit a scenario and try it at once. Drill plans (`<scenarios>/drills/*.ron`) are
//! loaded with them and checked against them.
//!
//! Reading and checking the folder (every scenario in its shop, model answers scored) takes a
//! few tenths of a second, so the picker does not wait for it: the window opens on a
//! [`Catalog::pending`] one (the picker says 正在读取场景…), the folder is read on the task
//! pool, and the picker is filled when it is ready. Opening the picker again re-reads the
//! folder only when its files changed.

use super::Screen;
use crate::drill::{self, DrillPlan};
use crate::scenario::shop::ShopProfile;
use crate::scenario::{self, Scenario};
use crate::sim::SimRubric;
use bevy::prelude::*;
use bevy::tasks::futures::check_ready;
use bevy::tasks::{AsyncComputeTaskPool, Task};
use bevy::window::RequestRedraw;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Resource, Debug, Clone)]
pub struct Catalog {
    pub dir: PathBuf,
    pub scenarios: Vec<Arc<Scenario>>,
    /// The drill plans in `<dir>/drills` that load and fit the scenarios.
    pub plans: Vec<DrillPlan>,
    /// `file:line:column: message` for every scenario or plan file that did not load.
    pub problems: Vec<String>,
    /// Set when the last load was triggered by a file being saved.
    pub reloaded: bool,
    /// Names, sizes and times of the files loaded, to tell a real edit from a spurious event.
    pub fingerprint: u64,
    /// The shop profiles on offer (`<dir>/shops`, and the one named with `--shop`).
    pub shops: Vec<ShopProfile>,
    /// The shop every scenario is played in (None: each scenario's own or first stocking shop).
    pub shop: Option<ShopProfile>,
    /// Scenarios the chosen shop cannot play: (id, what they need).
    pub not_stocked: Vec<(String, String)>,
    /// Drill plans not offered because they need scenarios the chosen shop cannot play.
    pub plans_not_stocked: usize,
    /// The folder is still being read: nothing above is filled in yet.
    pub loading: bool,
}

impl Catalog {
    /// The folder's scenarios and plans, played in `shop` when one is given.
    pub fn load(dir: &Path, rubric: &crate::rubric::Rubric, shop: Option<&ShopProfile>) -> Catalog {
        let fingerprint = fingerprint(dir);
        let loaded = scenario::load_dir_in(dir, rubric, shop);
        let (all, problems) = (loaded.scenarios, loaded.problems);
        let (mut shops, _) = scenario::shop::load_dir(&scenario::shop::dir_for(dir));
        if let Some(p) = shop
            && !shops.iter().any(|s| s.id == p.id)
        {
            shops.push(p.clone());
        }
        let plans_dir = drill::plans_dir(dir);
        let (plans, mut plan_problems) = if plans_dir.is_dir() {
            drill::load_plans(&plans_dir, &all)
        } else {
            Default::default()
        };
        // In a chosen shop, plans that need scenarios it does not sell are simply not offered
        // (the default view reports real problems with plan files).
        let plans_not_stocked = if shop.is_some() {
            plan_problems.clear();
            scenario::files_in(&plans_dir)
                .map(|f| f.len())
                .unwrap_or(0)
                .saturating_sub(plans.len())
        } else {
            0
        };
        Catalog {
            dir: dir.to_path_buf(),
            scenarios: all.into_iter().map(Arc::new).collect(),
            plans,
            problems: problems
                .iter()
                .chain(&plan_problems)
                .map(|d| d.to_string())
                .collect(),
            reloaded: false,
            fingerprint,
            shops,
            shop: shop.cloned(),
            not_stocked: loaded.not_stocked,
            plans_not_stocked,
            loading: false,
        }
    }

    /// The folder's catalog before it is read: empty, marked `loading`. The picker opens on it
    /// and [`reload`] reads the folder on the task pool.
    pub fn pending(dir: &Path, shop: Option<&ShopProfile>) -> Catalog {
        Catalog {
            dir: dir.to_path_buf(),
            scenarios: Vec::new(),
            plans: Vec::new(),
            problems: Vec::new(),
            reloaded: false,
            fingerprint: 0,
            shops: Vec::new(),
            shop: shop.cloned(),
            not_stocked: Vec::new(),
            plans_not_stocked: 0,
            loading: true,
        }
    }

    /// The current version of a scenario, by id.
    pub fn find(&self, id: &str) -> Option<&Arc<Scenario>> {
        self.scenarios.iter().find(|s| s.id == id)
    }

    /// The scenarios as plain values, for planning a drill.
    pub fn scenario_values(&self) -> Vec<Scenario> {
        self.scenarios.iter().map(|s| Scenario::clone(s)).collect()
    }
}

/// The folder being read on the task pool.
#[derive(Resource, Default)]
pub struct Reading(Option<Task<Catalog>>);

impl Reading {
    /// Forget a read under way (its result would be for an old choice of shop).
    pub fn cancel(&mut self) {
        self.0 = None;
    }
}

pub fn plugin(app: &mut App) {
    app.init_resource::<Reading>()
        .add_systems(OnEnter(Screen::Picker), reload)
        .add_systems(
            Update,
            (reload.run_if(|c: Res<Catalog>| c.loading), collect).chain(),
        );
    #[cfg(feature = "dev")]
    watch::plugin(app);
}

/// A hash of the scenario and plan files' names, sizes and modification times.
pub fn fingerprint(dir: &Path) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let files = scenario::files_in(dir)
        .unwrap_or_default()
        .into_iter()
        .chain(scenario::files_in(&drill::plans_dir(dir)).unwrap_or_default())
        .chain(scenario::files_in(&scenario::shop::dir_for(dir)).unwrap_or_default());
    for f in files {
        f.hash(&mut h);
        if let Ok(m) = std::fs::metadata(&f) {
            m.len().hash(&mut h);
            m.modified().ok().hash(&mut h);
        }
    }
    h.finish()
}

/// Read the folder on the task pool when it has not been read yet or its files changed since
/// (the picker rebuilds when [`collect`] puts the new catalog in place). The first read starts
/// at once, beside the renderer's start-up (starting it after the first frame was measured
/// slower: it then competes with the first frames' pipeline compilation).
pub fn reload(catalog: Res<Catalog>, rubric: Res<SimRubric>, mut reading: ResMut<Reading>) {
    if reading.0.is_some() || (!catalog.loading && fingerprint(&catalog.dir) == catalog.fingerprint)
    {
        return;
    }
    let dir = catalog.dir.clone();
    let shop = catalog.shop.clone();
    let rubric = Arc::clone(&rubric.0);
    reading.0 = Some(
        AsyncComputeTaskPool::get()
            .spawn(async move { Catalog::load(&dir, &rubric, shop.as_ref()) }),
    );
}

/// Put the catalog in place when it has been read; until then keep frames coming (the window
/// otherwise sleeps until input).
pub fn collect(
    mut reading: ResMut<Reading>,
    mut catalog: ResMut<Catalog>,
    mut redraw: MessageWriter<RequestRedraw>,
) {
    let Some(task) = reading.0.as_mut() else {
        return;
    };
    let Some(fresh) = check_ready(task) else {
        redraw.write(RequestRedraw);
        return;
    };
    reading.0 = None;
    let same_shop = fresh.shop.as_ref().map(|s| &s.id) == catalog.shop.as_ref().map(|s| &s.id);
    if same_shop && (catalog.loading || fresh.fingerprint != catalog.fingerprint) {
        *catalog = fresh;
    }
}

/// Register the scenario folder as the `scenarios://` asset source. Must run before
/// `DefaultPlugins`; does nothing without the `dev` feature.
pub fn register_source(app: &mut App, dir: &Path) {
    #[cfg(feature = "dev")]
    watch::register_source(app, dir);
    #[cfg(not(feature = "dev"))]
    let _ = (app, dir);
}

#[cfg(feature = "dev")]
mod watch {
    use super::{Catalog, SimRubric};
    use bevy::asset::io::{AssetSourceBuilder, Reader};
    use bevy::asset::{AssetLoader, LoadContext, LoadedFolder};
    use bevy::prelude::*;
    use std::path::Path;

    /// A scenario file, as a change notification: the catalog re-reads and re-validates the
    /// whole folder itself.
    #[derive(Asset, TypePath, Debug)]
    struct ScenarioFile;

    #[derive(Default, TypePath)]
    struct ScenarioFileLoader;

    impl AssetLoader for ScenarioFileLoader {
        type Asset = ScenarioFile;
        type Settings = ();
        type Error = std::io::Error;
        async fn load(
            &self,
            reader: &mut dyn Reader,
            _settings: &(),
            _ctx: &mut LoadContext<'_>,
        ) -> Result<ScenarioFile, std::io::Error> {
            let mut bytes = Vec::new();
            reader.read_to_end(&mut bytes).await?;
            Ok(ScenarioFile)
        }
        fn extensions(&self) -> &[&str] {
            &["ron"]
        }
    }

    #[derive(Resource)]
    struct Watched {
        _folder: Handle<LoadedFolder>,
        ready: bool,
    }

    pub fn register_source(app: &mut App, dir: &Path) {
        app.register_asset_source(
            "scenarios",
            AssetSourceBuilder::platform_default(&dir.to_string_lossy(), None),
        );
    }

    pub fn plugin(app: &mut App) {
        app.init_asset::<ScenarioFile>()
            .init_asset_loader::<ScenarioFileLoader>()
            .add_systems(Startup, start_watching)
            .add_systems(Update, reload_on_change);
    }

    fn start_watching(mut commands: Commands, server: Res<AssetServer>) {
        commands.insert_resource(Watched {
            _folder: server.load_folder("scenarios://"),
            ready: false,
        });
    }

    fn reload_on_change(
        mut files: MessageReader<AssetEvent<ScenarioFile>>,
        mut folders: MessageReader<AssetEvent<LoadedFolder>>,
        mut watched: ResMut<Watched>,
        mut catalog: ResMut<Catalog>,
        rubric: Res<SimRubric>,
    ) {
        if folders
            .read()
            .any(|e| matches!(e, AssetEvent::LoadedWithDependencies { .. }))
        {
            watched.ready = true;
            files.clear();
            return;
        }
        let changed = files.read().any(|e| {
            matches!(
                e,
                AssetEvent::Modified { .. } | AssetEvent::Added { .. } | AssetEvent::Removed { .. }
            )
        });
        if changed && watched.ready && super::fingerprint(&catalog.dir) != catalog.fingerprint {
            info!(
                "scenario files changed: reloading {}",
                catalog.dir.display()
            );
            let mut fresh = Catalog::load(&catalog.dir, &rubric.0, catalog.shop.as_ref());
            fresh.reloaded = true;
            *catalog = fresh;
        }
    }
}
