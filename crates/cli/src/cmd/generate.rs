//! Placeholder until the library lands.

pub fn run(_args: crate::flags::GenArgs, _quiet: bool) -> anyhow::Result<u8> {
    anyhow::bail!("not wired yet")
}
