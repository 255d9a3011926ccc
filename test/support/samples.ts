/**
 * Loading the public sample databases of test/fixtures/samples into a test
 * database: the files as published, less what only psql understands or what
 * would leave the test's own database (DROP/CREATE DATABASE, \c).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

export type SampleName = 'pagila' | 'chinook' | 'northwind';

const FILES: Readonly<Record<SampleName, string>> = {
  pagila: 'pagila/schema.sql',
  chinook: 'chinook/chinook.sql',
  northwind: 'northwind/northwind.sql',
};

export interface SampleOptions {
  /** The server's major version: VIRTUAL generated columns (18+) become STORED below 18. */
  readonly serverMajor?: number;
}

/**
 * A sample's SQL, made loadable on the embedded servers: pagila's pgvector
 * table keeps its shape with `real[]` instead of `vector(20)` (the embedded
 * packages ship no pgvector), and its HNSW index is left out.
 */
export async function sampleSql(name: SampleName, options: SampleOptions = {}): Promise<string> {
  const path = fileURLToPath(new URL(`../fixtures/samples/${FILES[name]}`, import.meta.url));
  let text = (await readFile(path, 'utf8'))
    .split('\n')
    .filter((line) => !/^\s*(DROP DATABASE|CREATE DATABASE|\\)/i.test(line))
    .join('\n');
  if (name === 'pagila') {
    text = text
      .replace(/^CREATE EXTENSION IF NOT EXISTS vector .*$/m, '')
      .replace(/^COMMENT ON EXTENSION vector .*$/m, '')
      .replace(/^CREATE INDEX \S+ ON \S+ USING hnsw .*$/m, '')
      .replace(/public\.vector\(20\)/g, 'real[]');
    if ((options.serverMajor ?? 18) < 18) text = text.replace(/\) VIRTUAL\b/g, ') STORED');
  }
  return text;
}

/** Runs a sample's SQL in the database `client` is connected to. */
export async function loadSample(client: pg.Client, name: SampleName, options: SampleOptions = {}): Promise<void> {
  await client.query(await sampleSql(name, options));
}

/** Rows for pagila, whose published schema file has no data: what its own data file holds for these people. */
export const PAGILA_ROWS = `
SET session_replication_role = replica;
INSERT INTO public.country (country_id, country) VALUES (1, 'Canada'), (2, 'Australia'), (3, 'Japan');
INSERT INTO public.city (city_id, city, country_id) VALUES (1, 'Lethbridge', 1), (2, 'Woodridge', 2), (3, 'Sasebo', 3);
INSERT INTO public.address (address_id, address, address2, district, city_id, postal_code, phone) VALUES
 (1, '47 MySakila Drive', NULL, 'Alberta', 1, '', ''), (2, '28 MySQL Boulevard', NULL, 'QLD', 2, '', ''),
 (3, '23 Workhaven Lane', NULL, 'Alberta', 1, '', '14033335568'), (4, '1411 Lillydale Drive', NULL, 'QLD', 2, '', '6172235589'),
 (5, '1913 Hanoi Way', '', 'Nagasaki', 3, '35200', '28303384290'), (6, '1121 Loja Avenue', '', 'California', 3, '17886', '838635286649'),
 (7, '692 Joliet Street', '', 'Attika', 3, '83579', '448477190408'), (8, '1566 Inegl Manor', '', 'Mandalay', 3, '53561', '705814003527'),
 (9, '53 Idfu Parkway', '', 'Nantou', 3, '42399', '10655648674'), (10, '1795 Santiago de Compostela Way', '', 'Texas', 3, '18743', '860452626434');
INSERT INTO public.store (store_id, manager_staff_id, address_id) VALUES (1, 1, 1), (2, 2, 2);
INSERT INTO public.staff (staff_id, first_name, last_name, address_id, email, store_id, active, username, password) VALUES
 (1, 'Mike', 'Hillyer', 3, 'Mike.Hillyer@sakilastaff.com', 1, true, 'Mike', '8cb2237d0679ca88db6464eac60da96345513964'),
 (2, 'Jon', 'Stephens', 4, 'Jon.Stephens@sakilastaff.com', 2, true, 'Jon', '8cb2237d0679ca88db6464eac60da96345513964');
INSERT INTO public.customer (customer_id, store_id, first_name, last_name, email, address_id, create_date, active) VALUES
 (1, 1, 'MARY', 'SMITH', 'MARY.SMITH@sakilacustomer.org', 5, '2022-02-14', 1), (2, 1, 'PATRICIA', 'JOHNSON', 'PATRICIA.JOHNSON@sakilacustomer.org', 6, '2022-02-14', 1),
 (3, 1, 'LINDA', 'WILLIAMS', 'LINDA.WILLIAMS@sakilacustomer.org', 7, '2022-02-14', 1), (4, 2, 'BARBARA', 'JONES', 'BARBARA.JONES@sakilacustomer.org', 8, '2022-02-14', 1),
 (5, 1, 'ELIZABETH', 'BROWN', 'ELIZABETH.BROWN@sakilacustomer.org', 9, '2022-02-14', 1), (6, 2, 'JENNIFER', 'DAVIS', 'JENNIFER.DAVIS@sakilacustomer.org', 10, '2022-02-14', 1);
INSERT INTO public.language (language_id, name) VALUES (1, 'English');
INSERT INTO public.film (film_id, title, description, release_year, language_id, rental_duration, rental_rate, length, replacement_cost, rating, fulltext) VALUES
 (1, 'ACADEMY DINOSAUR', 'A Epic Drama of a Feminist And a Mad Scientist who must Battle a Teacher in The Canadian Rockies', 2012, 1, 6, 0.99, 86, 20.99, 'PG', ''),
 (2, 'ACE GOLDFINGER', 'A Astounding Epistle of a Database Administrator And a Explorer who must Find a Car in Ancient China', 2012, 1, 3, 4.99, 48, 12.99, 'G', '');
SET session_replication_role = origin;`;
