//! The web app's entry point, built for wasm32 by trunk.

fn main() {
    marginalia::ui::start();
}
