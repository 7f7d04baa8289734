// Walk every page of a filtered incidentdb query with the cursor (JavaScript, fetch).
//   node examples/walk.mjs http://localhost:8000 Iran Azerbaijan
// PAGE_SIZE (default 100, at most 500) sets how many incidents each request asks for.
const [base = "http://localhost:8000", ...actors] = process.argv.slice(2);
const pageSize = process.env.PAGE_SIZE ?? "100";

async function* incidents(baseUrl, names) {
  let cursor = null;
  do {
    const url = new URL("/incidents", baseUrl);
    for (const name of names) url.searchParams.append("actor", name);
    url.searchParams.set("limit", pageSize);
    if (cursor) url.searchParams.set("cursor", cursor);
    const response = await fetch(url);
    const body = await response.json();
    if (!response.ok) {
      // Every error is application/problem+json: status, title, detail.
      throw new Error(`${body.status} ${body.title}: ${body.detail}`);
    }
    yield* body.items;
    cursor = body.next_cursor;
  } while (cursor);
}

for await (const incident of incidents(base, actors.length ? actors : ["Iran"])) {
  console.log(incident.date_start, incident.slug);
}
