//! Placeholder until the library lands.

pub fn run(_args: crate::flags::DemoArgs, _quiet: bool) -> anyhow::Result<u8> {
    anyhow::bail!("not wired yet")
}
