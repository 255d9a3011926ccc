/**
 * Built-in lists for `fake` kinds other than names: plausible, clearly generic
 * values. Street numbers and postcodes are drawn from the PRF, not listed.
 */

export const CITIES: readonly string[] = [
  'Springfield', 'Riverside', 'Fairview', 'Franklin', 'Greenville', 'Bristol', 'Clinton', 'Georgetown', 'Salem', 'Madison',
  'Arlington', 'Ashland', 'Burlington', 'Manchester', 'Oxford', 'Milton', 'Newport', 'Dover', 'Hudson', 'Kingston',
  'Lakewood', 'Marion', 'Oakland', 'Clayton', 'Jackson', 'Auburn', 'Dayton', 'Lexington', 'Milford', 'Winchester',
  'Lyon', 'Toulouse', 'Nantes', 'Lille', 'Rennes', 'Leipzig', 'Dresden', 'Bremen', 'Hanover', 'Nuremberg',
  'Valencia', 'Seville', 'Bilbao', 'Málaga', 'Porto', 'Braga', 'Bologna', 'Turin', 'Florence', 'Verona',
  'Utrecht', 'Eindhoven', 'Ghent', 'Bruges', 'Aarhus', 'Malmö', 'Bergen', 'Tampere', 'Kraków', 'Gdańsk',
  'Brno', 'Graz', 'Basel', 'Lausanne', 'Cork', 'Galway', 'Leeds', 'Glasgow', 'Cardiff', 'Belfast',
  'Osaka', 'Sapporo', 'Busan', 'Pune', 'Mysore', 'Cebu', 'Perth', 'Adelaide', 'Wellington', 'Halifax',
];

export const STREET_NAMES: readonly string[] = [
  'Main', 'Oak', 'Pine', 'Maple', 'Cedar', 'Elm', 'Washington', 'Lake', 'Hill', 'Park',
  'Church', 'High', 'Mill', 'River', 'Spring', 'Sunset', 'Forest', 'Meadow', 'Willow', 'Chestnut',
  'Highland', 'Valley', 'Ridge', 'Bridge', 'Station', 'Garden', 'Orchard', 'Harbor', 'Victoria', 'King',
  'Queen', 'Market', 'School', 'North', 'South', 'West', 'East', 'Green', 'Linden', 'Birch',
];

export const STREET_SUFFIXES: readonly string[] = [
  'Street', 'Avenue', 'Road', 'Lane', 'Drive', 'Court', 'Place', 'Way', 'Boulevard', 'Terrace',
];

export const COMPANY_WORDS: readonly string[] = [
  'Acme', 'Globex', 'Initech', 'Umbrella', 'Vandelay', 'Stark', 'Wayne', 'Hooli', 'Pied Piper', 'Soylent',
  'Northwind', 'Contoso', 'Fabrikam', 'Tailspin', 'Wingtip', 'Litware', 'Adventure', 'Blue Yonder', 'Proseware', 'Lucerne',
  'Summit', 'Pinnacle', 'Horizon', 'Evergreen', 'Silverline', 'Redwood', 'Bluewater', 'Ironbridge', 'Brightstar', 'Clearview',
];

export const COMPANY_SUFFIXES: readonly string[] = [
  'Inc.', 'LLC', 'Ltd', 'GmbH', 'S.A.', 'B.V.', 'Group', 'Holdings', 'Partners', 'Industries', 'Labs', 'Systems',
];

export const COUNTRIES: readonly string[] = [
  'Argentina', 'Australia', 'Austria', 'Belgium', 'Brazil', 'Canada', 'Chile', 'Colombia', 'Czechia', 'Denmark',
  'Egypt', 'Finland', 'France', 'Germany', 'Ghana', 'Greece', 'Hungary', 'India', 'Indonesia', 'Ireland',
  'Italy', 'Japan', 'Kenya', 'Mexico', 'Morocco', 'Netherlands', 'New Zealand', 'Nigeria', 'Norway', 'Peru',
  'Philippines', 'Poland', 'Portugal', 'Romania', 'Singapore', 'South Africa', 'South Korea', 'Spain', 'Sweden', 'Switzerland',
  'Thailand', 'Turkey', 'Ukraine', 'United Kingdom', 'United States', 'Uruguay', 'Vietnam',
];

export const LOREM_WORDS: readonly string[] = [
  'lorem', 'ipsum', 'dolor', 'sit', 'amet', 'consectetur', 'adipiscing', 'elit', 'sed', 'do',
  'eiusmod', 'tempor', 'incididunt', 'ut', 'labore', 'et', 'dolore', 'magna', 'aliqua', 'enim',
  'ad', 'minim', 'veniam', 'quis', 'nostrud', 'exercitation', 'ullamco', 'laboris', 'nisi', 'aliquip',
  'ex', 'ea', 'commodo', 'consequat', 'duis', 'aute', 'irure', 'in', 'reprehenderit', 'voluptate',
  'velit', 'esse', 'cillum', 'fugiat', 'nulla', 'pariatur', 'excepteur', 'sint', 'occaecat', 'cupidatat',
  'non', 'proident', 'sunt', 'culpa', 'qui', 'officia', 'deserunt', 'mollit', 'anim', 'id', 'est', 'laborum',
];
