import { Option } from 'commander'
import { readFlags } from '../config/load.js'
import { SETTINGS } from '../config/schema.js'
import type { Settings, SettingKey } from '../config/schema.js'
import type { Command } from 'commander'

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value]

interface FlagDef { flags: string, help: string, repeatable?: boolean, number?: boolean, choices?: readonly string[] }

/** The settings that `smesh start` and `smesh join` take as flags, with the option each becomes. */
function flagged (): Array<{ key: SettingKey, flag: FlagDef, option: Option }> {
  const out: Array<{ key: SettingKey, flag: FlagDef, option: Option }> = []
  for (const [key, def] of Object.entries(SETTINGS) as Array<[SettingKey, { flag?: FlagDef }]>) {
    const flag = def.flag
    if (flag == null) continue
    const option = new Option(flag.flags, flag.help)
    if (flag.repeatable === true) option.argParser(collect)
    else if (flag.number === true) option.argParser(v => Number(v))
    if (flag.choices != null) option.choices(flag.choices)
    out.push({ key, flag, option })
  }
  return out
}

/** One commander option per setting with a flag. */
export function settingOptions (): Option[] {
  return flagged().map(f => f.option)
}

/** The settings given on the command line (only flags the user typed: defaults come from the other layers), validated. */
export function flagSettings (opts: Record<string, unknown>, cmd: Command): Settings {
  const layer: Partial<Record<SettingKey, unknown>> = {}
  const names: Partial<Record<SettingKey, string>> = {}
  for (const { key, flag, option } of flagged()) {
    const attr = option.attributeName()
    names[key] = flag.flags.split(' ')[0]
    if (cmd.getOptionValueSource(attr) === 'cli') layer[key] = opts[attr]
  }
  return readFlags(layer, names)
}
