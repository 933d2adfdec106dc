// A field app's local database, as WatermelonDB builds one, synced against abs_connector with the library's
// own synchronize(): the schema comes from GET /api/sync/schema, pullChanges and pushChanges call /api/sync.
// Driven by scripts/smoke/test_90_sync.py over stdin/stdout, one JSON command and one JSON answer per line,
// so the server can be changed between two syncs of one database (LokiJS keeps it in memory).
//
// Environment: ABS_SYNC_URL (the server), ABS_SYNC_TOKEN (the agent's access token), ABS_SYNC_OTHER_TOKEN
// (a colleague's, for the conflict: it changes a customer online while this app pushes its own change).
'use strict'

const readline = require('readline')
const { Database, Model, Q } = require('@nozbe/watermelondb')
const { appSchema, tableSchema } = require('@nozbe/watermelondb/Schema')
const { schemaMigrations, createTable, addColumns } = require('@nozbe/watermelondb/Schema/migrations')
const LokiJSAdapter = require('@nozbe/watermelondb/adapters/lokijs').default
const { synchronize } = require('@nozbe/watermelondb/sync')
const { logger } = require('@nozbe/watermelondb/utils/common')

const URL = process.env.ABS_SYNC_URL
const TOKEN = process.env.ABS_SYNC_TOKEN
const OTHER_TOKEN = process.env.ABS_SYNC_OTHER_TOKEN
const PAGE_SIZE = 50 // small on purpose: the first sync comes in several pages

logger.silence() // the library's console chatter would mix with the JSON answers on stdout

async function api(method, path, { token = TOKEN, body } = {}) {
  const response = await fetch(URL + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const payload = await response.json()
  if (!response.ok) {
    const error = new Error(`${method} ${path}: ${response.status} ${payload.code}: ${payload.error}`)
    error.status = response.status
    error.payload = payload
    throw error
  }
  return payload
}

// The app's pullChanges: every page of one pull, merged (each page has the first page's timestamp).
async function pullChanges({ lastPulledAt, schemaVersion, migration }) {
  const changes = {}
  let page = null
  let timestamp = null
  let pages = 0
  do {
    const query = new URLSearchParams({
      last_pulled_at: lastPulledAt ?? '',
      schema_version: String(schemaVersion),
      limit: String(PAGE_SIZE),
    })
    if (migration) query.set('migration', JSON.stringify(migration))
    if (page) query.set('page', page)
    const answer = await api('GET', `/api/sync?${query}`)
    for (const [table, tableChanges] of Object.entries(answer.changes)) {
      const merged = (changes[table] = changes[table] || { created: [], updated: [], deleted: [] })
      merged.created.push(...tableChanges.created)
      merged.updated.push(...tableChanges.updated)
      merged.deleted.push(...tableChanges.deleted)
    }
    timestamp = answer.timestamp
    page = answer.next
    pages += 1
  } while (page)
  stats.pages = pages
  return { changes, timestamp }
}

let beforePush = null // a hook of the conflict scenario: runs once, just before the push goes out
const stats = { pages: 0, pushes: 0, conflicts: 0 }

async function pushChanges({ changes, lastPulledAt }) {
  if (beforePush) {
    const hook = beforePush
    beforePush = null
    await hook()
  }
  stats.pushes += 1
  await api('POST', `/api/sync?last_pulled_at=${lastPulledAt}`, { body: { changes } })
}

// synchronize() as an app calls it: a push refused as a conflict (409) is followed by another sync, whose
// pull brings the server's change (merged with the local one by WatermelonDB) before it pushes again.
async function sync(database) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await synchronize({ database, pullChanges, pushChanges, migrationsEnabledAtVersion: 1 })
      return attempt
    } catch (error) {
      if (error.status !== 409 || attempt >= 3) throw error
      stats.conflicts += 1
    }
  }
}

async function main() {
  const served = await api('GET', '/api/sync/schema')
  const schema = appSchema({ version: served.version, tables: served.tables.map((table) => tableSchema(table)) })
  // One Model class per served table: the app reads raw columns (record._raw), no decorators needed.
  const modelClasses = served.tables.map(
    (table) =>
      class extends Model {
        static table = table.name
      },
  )
  // The served migrations as the app declares them (newest first), so that migration syncs are on.
  const migrations = schemaMigrations({
    migrations: served.migrations
      .map((migration) => ({
        toVersion: migration.toVersion,
        steps: migration.steps.map((step) =>
          step.type === 'create_table' ? createTable(step.schema) : addColumns({ table: step.table, columns: step.columns }),
        ),
      }))
      .reverse(),
  })
  const adapter = new LokiJSAdapter({
    schema,
    migrations,
    useWebWorker: false,
    useIncrementalIndexedDB: true,
    dbName: 'abs',
  })
  const database = new Database({ adapter, modelClasses })

  const commands = {
    async sync() {
      const attempts = await sync(database)
      return { attempts, ...stats }
    },
    async count({ table }) {
      return { count: await database.get(table).query().fetchCount() }
    },
    async find({ table, id }) {
      const found = await database.get(table).query(Q.where('id', id)).fetch()
      return { row: found.length ? found[0]._raw : null }
    },
    async ids({ table }) {
      return { ids: (await database.get(table).query().fetch()).map((record) => record.id) }
    },
    async create({ table, values }) {
      let created
      await database.write(async () => {
        created = await database.get(table).create((record) => {
          Object.assign(record._raw, values)
        })
      })
      return { id: created.id }
    },
    async update({ table, id, values, conflictWith }) {
      const record = await database.get(table).find(id)
      await database.write(async () => {
        await record.update((row) => {
          for (const [column, value] of Object.entries(values)) row._setRaw(column, value)
        })
      })
      if (conflictWith) {
        // a colleague changes the same customer online after this app's pull, before its push
        beforePush = () => api('PUT', `/api/customers/${id}`, { token: OTHER_TOKEN, body: conflictWith })
      }
      return { id }
    },
  }

  const lines = readline.createInterface({ input: process.stdin })
  for await (const line of lines) {
    if (!line.trim()) continue
    const command = JSON.parse(line)
    let answer
    try {
      answer = { ok: true, ...(await commands[command.cmd](command)) }
    } catch (error) {
      answer = { ok: false, error: String(error && error.stack ? error.stack : error) }
    }
    process.stdout.write(JSON.stringify(answer) + '\n')
  }
  process.exit(0) // stdin closed: the test is done (LokiJS' timers would keep Node alive)
}

main().catch((error) => {
  process.stdout.write(JSON.stringify({ ok: false, error: String(error.stack || error) }) + '\n')
  process.exit(1)
})
