'use strict'
// Turns CAP's $metadata into the shape F&O serves:
//  - entity container "Resources" (CAP: "EntityContainer");
//  - entity types named with the singular F&O public entity name (CustomersV3 -> CustomerV3);
//  - enums as real <EnumType>s (CAP: string TypeDefinitions plus Validation.AllowedValues);
//  - F&O style properties: no MaxLength/Precision/Scale/DefaultValue facets, helper type
//    definitions (FnoDateTime, Money) replaced by their Edm types;
//  - binding parameters of bound actions named after the entity type.

const ENTITY_TYPE_NAMES = {
  CustomersV3: 'CustomerV3',
  CustomerGroups: 'CustomerGroup',
  SalesOrderHeadersV2: 'SalesOrderHeaderV2',
  SalesOrderLines: 'SalesOrderLine',
  ReleasedProductsV2: 'ReleasedProductV2',
  DataManagementDefinitionGroups: 'DataManagementDefinitionGroup',
}

const esc = s => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Enum and alias types of the service, from the compiled model. */
function typesOf(model, ns) {
  const enums = {}
  const aliases = {}
  for (const [name, def] of Object.entries(model.definitions)) {
    if (!name.startsWith(ns + '.') || def.kind !== 'type') continue
    const local = name.slice(ns.length + 1)
    if (def.enum) enums[local] = enumMembers(def)
    else if (def.type) aliases[local] = edmTypeOf(def.type)
  }
  return { enums, aliases }
}

/** [[name, value]] of an enum type: @fno.value, else the member's position. */
function enumMembers(def) {
  return Object.entries(def.enum).map(([name, m], i) => [name, m?.['@fno.value'] ?? i])
}

function edmTypeOf(cdsType) {
  switch (cdsType) {
    case 'cds.DateTime': case 'cds.Timestamp': return 'Edm.DateTimeOffset'
    case 'cds.Decimal': return 'Edm.Decimal'
    case 'cds.String': case 'cds.LargeString': return 'Edm.String'
    case 'cds.Integer': case 'cds.Int32': return 'Edm.Int32'
    case 'cds.Integer64': case 'cds.Int64': return 'Edm.Int64'
    case 'cds.Boolean': return 'Edm.Boolean'
    case 'cds.Date': return 'Edm.Date'
    default: return 'Edm.String'
  }
}

function rewrite(xml, model, ns) {
  const { enums, aliases } = typesOf(model, ns)
  const q = esc(ns)

  // 1. Drop CAP's schema-level "author" link and all AllowedValues annotations.
  xml = xml.replace(/\s*<Annotation Term="Core\.Links">[\s\S]*?<\/Annotation>/, '')
  xml = xml.replace(/\s*<Annotation Term="Validation\.AllowedValues">[\s\S]*?<\/Annotation>/g, '')
  xml = xml.replace(/\s*<Annotations Target="[^"]*">\s*<\/Annotations>/g, '')
  xml = xml.replace(/\s*<edmx:Reference Uri="[^"]*Validation[^"]*">[\s\S]*?<\/edmx:Reference>/, '')

  // 2. Enums: TypeDefinition -> EnumType.
  for (const [name, members] of Object.entries(enums)) {
    const enumXml =
      `<EnumType Name="${name}">` +
      members.map(([m, v]) => `\n        <Member Name="${m}" Value="${v}"/>`).join('') +
      `\n      </EnumType>`
    xml = xml.replace(new RegExp(`<TypeDefinition Name="${esc(name)}"[^>]*/>`), enumXml)
  }

  // 3. Alias types (FnoDateTime, Money): inline the Edm type.
  for (const [name, edm] of Object.entries(aliases)) {
    xml = xml.replace(new RegExp(`\\s*<TypeDefinition Name="${esc(name)}"[^>]*/>`), '')
    xml = xml.replace(new RegExp(`Type="${q}\\.${esc(name)}"`, 'g'), `Type="${edm}"`)
    xml = xml.replace(new RegExp(`Type="Collection\\(${q}\\.${esc(name)}\\)"`, 'g'), `Type="Collection(${edm})"`)
  }

  // 4. No facets, as in F&O metadata.
  xml = xml.replace(/ (MaxLength|Precision|Scale|DefaultValue|SRID)="[^"]*"/g, '')

  // 5. Container name.
  xml = xml.replace('<EntityContainer Name="EntityContainer">', '<EntityContainer Name="Resources">')
  xml = xml.replace(new RegExp(`${q}\\.EntityContainer\\b`, 'g'), `${ns}.Resources`)

  // 6. Singular entity type names.
  for (const [set, type] of Object.entries(ENTITY_TYPE_NAMES)) {
    xml = xml.replace(new RegExp(`<EntityType Name="${esc(set)}"`, 'g'), `<EntityType Name="${type}"`)
    xml = xml.replace(new RegExp(`${q}\\.${esc(set)}(?=["/)(])`, 'g'), `${ns}.${type}`)
  }

  // 7. Binding parameters are named after the entity type, as in F&O.
  xml = xml.replace(
    new RegExp(`<Parameter Name="in" Type="(Collection\\()?${q}\\.(\\w+)(\\))?"( Nullable="true")?/>`, 'g'),
    (all, coll, type, close) => `<Parameter Name="${type}" Type="${coll || ''}${ns}.${type}${close || ''}"/>`,
  )
  return xml
}

/**
 * F&O marks many non-key properties Nullable="false" (FNO_FACTS §16): here the enum properties
 * of entity types, which always hold a member (every one has a default), as in F&O. Applied with
 * --wire fno only; the checked-in metadata.xml and the bindings generated from it are unchanged.
 */
function nonNullableEnums(xml, model, ns) {
  const { enums } = typesOf(model, ns)
  const names = Object.keys(enums).map(esc).join('|')
  if (!names) return xml
  const re = new RegExp(`(<Property Name="\\w+" Type="${esc(ns)}\\.(?:${names})")(/>)`, 'g')
  return xml.replace(re, '$1 Nullable="false"$2')
}

module.exports = { rewrite, nonNullableEnums, enumMembers, ENTITY_TYPE_NAMES }
